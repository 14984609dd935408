package main

import (
	"context"
	"fmt"
	"io"

	"github.com/kring-social/kring/app/organisations"
)

// ensureFirstAdmin creates the first instance admin on a fresh database and tells the operator how to
// log in. The generated password is printed to stdout once and never logged.
func ensureFirstAdmin(ctx context.Context, cfg *Config, orgs *organisations.Service, out io.Writer) error {
	first, err := orgs.EnsureFirstAdmin(ctx, cfg.AdminEmail, cfg.AdminPassword)
	if err != nil {
		return fmt.Errorf("create the first admin (KRING_ADMIN_EMAIL, KRING_ADMIN_PASSWORD): %w", err)
	}
	base := cfg.PublicURL.String()
	fmt.Fprintf(out, "Kring %s is running at %s\n", version, base)
	fmt.Fprintf(out, "  Web admin:   %s/admin\n", base)
	if !first.Created {
		return nil
	}
	fmt.Fprintf(out, "  First admin: %s\n", first.Email)
	if first.GeneratedPassword != "" {
		fmt.Fprintf(out, "  Password:    %s\n", first.GeneratedPassword)
		fmt.Fprintln(out, "  (shown this once; set your own with `kring admin staff reset-password --email "+first.Email+"`)")
	} else {
		fmt.Fprintln(out, "  Password:    the one in KRING_ADMIN_PASSWORD")
	}
	fmt.Fprintf(out, "  Next: log in, create an organisation at %s/admin/organisations, then its groups;\n", base)
	fmt.Fprintln(out, "        or: kring admin org create --slug acme --name \"Acme\"")
	fmt.Fprintln(out, "            kring admin group create --org acme --slug lobby --name \"Lobby\"")
	return nil
}
