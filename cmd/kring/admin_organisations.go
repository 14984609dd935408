package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/kring-social/kring/app/model"
)

// organisationView is the stable shape `kring admin org` prints.
type organisationView struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

func (v organisationView) Text() string {
	return fmt.Sprintf("%s\t%s\t(id %s)", v.Slug, v.Name, v.ID)
}

func viewOrganisation(o model.Organisation) organisationView {
	return organisationView{ID: o.ID, Slug: o.Slug, Name: o.Name, CreatedAt: o.CreatedAt}
}

type organisationList []organisationView

func (l organisationList) Text() string { return textLines(l, "no organisations") }

func organisationActions() []adminAction {
	return []adminAction{
		{noun: "org", verb: "create", summary: "create an organisation (--slug, --name)",
			flags: func(fs *flag.FlagSet) func(context.Context, *adminEnv) (any, error) {
				slug := fs.String("slug", "", "short name: lowercase letters, digits, underscore")
				name := fs.String("name", "", "display name")
				return func(ctx context.Context, env *adminEnv) (any, error) {
					if err := requireFlags("slug", *slug, "name", *name); err != nil {
						return nil, err
					}
					org, err := env.organisations.CreateOrganisation(ctx, *slug, *name)
					if err != nil {
						return nil, err
					}
					return viewOrganisation(org), nil
				}
			}},
		{noun: "org", verb: "list", summary: "list organisations",
			flags: func(fs *flag.FlagSet) func(context.Context, *adminEnv) (any, error) {
				return func(ctx context.Context, env *adminEnv) (any, error) {
					orgs, err := env.organisations.ListOrganisations(ctx)
					if err != nil {
						return nil, err
					}
					list := make(organisationList, len(orgs))
					for i, o := range orgs {
						list[i] = viewOrganisation(o)
					}
					return list, nil
				}
			}},
	}
}
