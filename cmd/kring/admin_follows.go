package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// followView is the stable shape `kring admin follow` prints.
type followView struct {
	Actor    string    `json:"actor"`
	Handle   string    `json:"handle"`
	State    string    `json:"state"`
	Since    time.Time `json:"since"`
	Inbox    string    `json:"inbox"`
	Settled  string    `json:"settled,omitempty"` // what approve or reject did
	FollowID string    `json:"follow_activity"`
}

func (v followView) Text() string {
	if v.Settled != "" {
		return fmt.Sprintf("%s: %s", v.Actor, v.Settled)
	}
	return fmt.Sprintf("%s\t%s\t%s\tsince %s", v.Handle, v.State, v.Actor, v.Since.UTC().Format("2006-01-02 15:04"))
}

type followList []followView

func (l followList) Text() string { return textLines(l, "no follows") }

func viewFollow(f store.FollowWithActor) followView {
	return followView{Actor: f.Actor.IRI, Handle: f.Actor.Handle(),
		State: string(f.State), Since: f.CreatedAt, Inbox: f.Actor.InboxURL, FollowID: f.FollowActivityIRI}
}

func followActions() []adminAction {
	settle := func(verb, done string, apply func(*adminEnv) func(context.Context, string, string, *string) error) adminAction {
		return adminAction{noun: "follow", verb: verb,
			summary: verb + " a follow request (--group, --actor); the follower's server is told",
			flags: func(fs *flag.FlagSet) func(context.Context, *adminEnv) (any, error) {
				group := fs.String("group", "", "group slug")
				actor := fs.String("actor", "", "the follower's actor id (see `follow list`)")
				return func(ctx context.Context, env *adminEnv) (any, error) {
					if err := requireFlags("group", *group, "actor", *actor); err != nil {
						return nil, err
					}
					if err := apply(env)(ctx, *group, *actor, nil); err != nil { // nil: logged as Kring's own
						return nil, err
					}
					return followView{Actor: *actor, Settled: done}, nil
				}
			}}
	}
	return []adminAction{
		{noun: "follow", verb: "list", summary: "list a group's follows (--group; --state pending|accepted|rejected)",
			flags: func(fs *flag.FlagSet) func(context.Context, *adminEnv) (any, error) {
				group := fs.String("group", "", "group slug")
				state := fs.String("state", "", "only follows in this state")
				return func(ctx context.Context, env *adminEnv) (any, error) {
					if err := requireFlags("group", *group); err != nil {
						return nil, err
					}
					follows, err := env.membership.Follows(ctx, *group, model.FollowState(*state))
					if err != nil {
						return nil, err
					}
					list := make(followList, len(follows))
					for i, f := range follows {
						list[i] = viewFollow(f)
					}
					return list, nil
				}
			}},
		settle("approve", "accepted; an Accept is on its way", func(env *adminEnv) func(context.Context, string, string, *string) error {
			return env.membership.Approve
		}),
		settle("reject", "rejected; a Reject is on its way", func(env *adminEnv) func(context.Context, string, string, *string) error {
			return env.membership.Reject
		}),
	}
}
