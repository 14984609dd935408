package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
)

// groupView is the stable shape `kring admin group` prints.
type groupView struct {
	ID               string    `json:"id"`
	Slug             string    `json:"slug"`
	Name             string    `json:"name"`
	Organisation     string    `json:"organisation"`
	Summary          string    `json:"summary,omitempty"`
	Rules            string    `json:"rules,omitempty"`
	PostingPolicy    string    `json:"posting_policy"`
	ApproveFollowers bool      `json:"approve_followers"`
	Discoverable     bool      `json:"discoverable"`
	Archived         bool      `json:"archived"`
	CreatedAt        time.Time `json:"created_at"`
}

func (v groupView) Text() string {
	return fmt.Sprintf("%s\t%s\torganisation %s\tposting %s\tapprove followers %t",
		v.Slug, v.Name, v.Organisation, v.PostingPolicy, v.ApproveFollowers)
}

type groupList []groupView

func (l groupList) Text() string { return textLines(l, "no groups") }

// groupDetail is `kring admin group show`: the group and its federation identity.
type groupDetail struct {
	groupView
	Actor        string `json:"actor"`
	WebFinger    string `json:"webfinger"`
	PublicKeyPEM string `json:"public_key_pem"`
}

func (d groupDetail) Text() string {
	return fmt.Sprintf("%s\nactor: %s\nfollow as: %s\nsummary: %s\nrules: %s\npublic key:\n%s",
		d.groupView.Text(), d.Actor, d.WebFinger, d.Summary, d.Rules, strings.TrimSpace(d.PublicKeyPEM))
}

func viewGroup(g model.Group, orgSlug string) groupView {
	return groupView{ID: g.ID, Slug: g.Slug, Name: g.Name, Organisation: orgSlug, Summary: g.Summary,
		Rules: g.Rules, PostingPolicy: string(g.PostingPolicy), ApproveFollowers: g.ApproveFollowers,
		Discoverable: g.Discoverable, Archived: g.ArchivedAt != nil, CreatedAt: g.CreatedAt}
}

func groupActions() []adminAction {
	return []adminAction{
		{noun: "group", verb: "create", summary: "create a group (--org, --slug, --name)",
			flags: func(fs *flag.FlagSet) func(context.Context, *adminEnv) (any, error) {
				org := fs.String("org", "", "organisation slug")
				slug := fs.String("slug", "", "the group's handle: lowercase letters, digits, underscore")
				name := fs.String("name", "", "display name")
				summary := fs.String("summary", "", "short description")
				rules := fs.String("rules", "", "rules members agree to")
				policy := fs.String("posting-policy", "followers", "who may post: followers, anyone, moderators, premoderated")
				approve := fs.Bool("approve-followers", false, "follows need a moderator's approval")
				return func(ctx context.Context, env *adminEnv) (any, error) {
					if err := requireFlags("org", *org, "slug", *slug, "name", *name); err != nil {
						return nil, err
					}
					g, err := env.groups.CreateGroup(ctx, groups.NewGroup{
						OrganisationSlug: *org, Slug: *slug, Name: *name, Summary: *summary, Rules: *rules,
						PostingPolicy: model.PostingPolicy(*policy), ApproveFollowers: *approve,
					})
					if err != nil {
						return nil, err
					}
					return viewGroup(g, *org), nil
				}
			}},
		{noun: "group", verb: "list", summary: "list groups (--org to filter)",
			flags: func(fs *flag.FlagSet) func(context.Context, *adminEnv) (any, error) {
				org := fs.String("org", "", "only this organisation's groups")
				return func(ctx context.Context, env *adminEnv) (any, error) {
					found, err := env.groups.ListGroups(ctx, *org)
					if err != nil {
						return nil, err
					}
					list := make(groupList, len(found))
					for i, g := range found {
						list[i] = viewGroup(g.Group, g.OrganisationSlug)
					}
					return list, nil
				}
			}},
		{noun: "group", verb: "show", positional: "SLUG", summary: "show a group and its fediverse identity (group show SLUG)",
			flags: func(fs *flag.FlagSet) func(context.Context, *adminEnv) (any, error) {
				return func(ctx context.Context, env *adminEnv) (any, error) {
					g, err := env.groups.GroupBySlug(ctx, env.args[0])
					if err != nil {
						return nil, err
					}
					return groupDetail{
						groupView:    viewGroup(g.Group, g.OrganisationSlug),
						Actor:        env.iris.GroupActor(g.Slug),
						WebFinger:    env.iris.GroupHandle(g.Slug),
						PublicKeyPEM: g.PublicKeyPEM,
					}, nil
				}
			}},
	}
}
