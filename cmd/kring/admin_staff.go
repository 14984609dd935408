package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/kring-social/kring/app/organisations"
)

// staffView is the stable shape `kring admin staff` prints. Password is present only when Kring
// generated one; it is shown this once and never stored in clear.
type staffView struct {
	Email         string `json:"email"`
	DisplayName   string `json:"display_name,omitempty"`
	Organisation  string `json:"organisation,omitempty"`
	Role          string `json:"role,omitempty"`
	InstanceAdmin bool   `json:"instance_admin"`
	Password      string `json:"generated_password,omitempty"`
}

func (v staffView) Text() string {
	text := v.Email
	if v.Role != "" {
		text += fmt.Sprintf("\t%s of %s", v.Role, v.Organisation)
	}
	if v.InstanceAdmin {
		text += "\tinstance admin"
	}
	if v.Password != "" {
		text += "\ngenerated password (shown once): " + v.Password
	}
	return text
}

func staffActions() []adminAction {
	return []adminAction{
		{noun: "staff", verb: "create", summary: "create a staff account with a role (--org, --email, --role owner|admin|moderator)",
			flags: func(fs *flag.FlagSet) func(context.Context, *adminEnv) (any, error) {
				org := fs.String("org", "", "organisation slug")
				email := fs.String("email", "", "e-mail address, used to log in")
				role := fs.String("role", "", "owner, admin or moderator")
				name := fs.String("name", "", "display name (optional)")
				password := fs.String("password", "", "password (optional; generated and printed once when empty)")
				instanceAdmin := fs.Bool("instance-admin", false, "also make the account an instance admin")
				return func(ctx context.Context, env *adminEnv) (any, error) {
					if err := requireFlags("org", *org, "email", *email, "role", *role); err != nil {
						return nil, err
					}
					account, generated, err := env.organisations.CreateStaff(ctx, organisations.NewStaff{
						Email: *email, DisplayName: *name, Password: *password,
						OrganisationSlug: *org, Role: organisations.Role(*role), InstanceAdmin: *instanceAdmin,
					})
					if err != nil {
						return nil, err
					}
					return staffView{Email: account.Email, DisplayName: account.DisplayName, Organisation: *org,
						Role: *role, InstanceAdmin: account.InstanceAdmin, Password: generated}, nil
				}
			}},
		{noun: "staff", verb: "grant", summary: "give an existing account a role in an organisation",
			flags: func(fs *flag.FlagSet) func(context.Context, *adminEnv) (any, error) {
				org := fs.String("org", "", "organisation slug")
				email := fs.String("email", "", "e-mail of the account")
				role := fs.String("role", "", "owner, admin or moderator")
				return func(ctx context.Context, env *adminEnv) (any, error) {
					if err := requireFlags("org", *org, "email", *email, "role", *role); err != nil {
						return nil, err
					}
					if err := env.organisations.GrantRole(ctx, *email, *org, organisations.Role(*role)); err != nil {
						return nil, err
					}
					return staffView{Email: *email, Organisation: *org, Role: *role}, nil
				}
			}},
		{noun: "staff", verb: "reset-password", summary: "set a new password (--email; generated when --password is empty)",
			flags: func(fs *flag.FlagSet) func(context.Context, *adminEnv) (any, error) {
				email := fs.String("email", "", "e-mail of the account")
				password := fs.String("password", "", "new password (optional; generated and printed once when empty)")
				return func(ctx context.Context, env *adminEnv) (any, error) {
					if err := requireFlags("email", *email); err != nil {
						return nil, err
					}
					generated, err := env.organisations.ResetPassword(ctx, *email, *password)
					if err != nil {
						return nil, err
					}
					return staffView{Email: *email, Password: generated}, nil
				}
			}},
	}
}
