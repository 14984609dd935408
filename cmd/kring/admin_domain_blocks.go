package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/moderation"
)

// domainBlockView is the stable shape `kring admin domain-block` prints.
type domainBlockView struct {
	Domain        string    `json:"domain"`
	Scope         string    `json:"scope"` // "instance" or the organisation's slug
	Severity      string    `json:"severity"`
	Reason        string    `json:"reason,omitempty"`
	PublicComment string    `json:"public_comment,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
}

func (v domainBlockView) Text() string {
	return fmt.Sprintf("%s\t%s\t%s\t%s", v.Domain, v.Severity, v.Scope, v.Reason)
}

func viewDomainBlock(b model.DomainBlock, scope string) domainBlockView {
	return domainBlockView{Domain: b.Domain, Scope: scope, Severity: string(b.Severity), Reason: b.Reason,
		PublicComment: b.PublicComment, CreatedAt: b.CreatedAt}
}

type domainBlockList []domainBlockView

func (l domainBlockList) Text() string { return textLines(l, "no domain blocks") }

func scopeName(orgSlug string) string {
	if orgSlug == "" {
		return "instance"
	}
	return orgSlug
}

func domainBlockActions() []adminAction {
	return []adminAction{
		{noun: "domain-block", verb: "add", summary: "block a domain and its subdomains (--domain; --org for one organisation, else instance-wide)",
			flags: func(fs *flag.FlagSet) func(context.Context, *adminEnv) (any, error) {
				domain := fs.String("domain", "", "domain to block, such as spam.example")
				org := fs.String("org", "", "organisation slug; empty blocks instance-wide")
				severity := fs.String("severity", "suspend", "suspend (refuse everything) or silence (never announce their posts)")
				reason := fs.String("reason", "", "why, for staff")
				comment := fs.String("public-comment", "", "why, shown publicly")
				return func(ctx context.Context, env *adminEnv) (any, error) {
					if err := requireFlags("domain", *domain); err != nil {
						return nil, err
					}
					block, err := env.moderation.BlockDomain(ctx, moderation.NewDomainBlock{OrganisationSlug: *org,
						Domain: *domain, Severity: model.Severity(*severity), Reason: *reason, PublicComment: *comment})
					if err != nil {
						return nil, err
					}
					return viewDomainBlock(block, scopeName(*org)), nil
				}
			}},
		{noun: "domain-block", verb: "list", summary: "list domain blocks (--org for an organisation's, else instance-wide)",
			flags: func(fs *flag.FlagSet) func(context.Context, *adminEnv) (any, error) {
				org := fs.String("org", "", "organisation slug; empty lists instance-wide blocks")
				return func(ctx context.Context, env *adminEnv) (any, error) {
					blocks, err := env.moderation.DomainBlocks(ctx, *org)
					if err != nil {
						return nil, err
					}
					list := make(domainBlockList, len(blocks))
					for i, b := range blocks {
						list[i] = viewDomainBlock(b, scopeName(*org))
					}
					return list, nil
				}
			}},
	}
}
