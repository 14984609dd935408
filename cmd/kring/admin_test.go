package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kring-social/kring/test/testenv"
)

// adminRunner runs `kring admin ...` in-process against one database.
type adminRunner func(t *testing.T, args ...string) (code int, stdout, stderr string)

// forEachAdminDatabase runs body once on a fresh SQLite data directory and once on a fresh
// PostgreSQL schema, through the same command line an operator types.
func forEachAdminDatabase(t *testing.T, body func(t *testing.T, admin adminRunner)) {
	databases := map[string]func(t *testing.T) map[string]string{
		"sqlite": func(t *testing.T) map[string]string { return map[string]string{"KRING_DATA_DIR": t.TempDir()} },
		"postgres": func(t *testing.T) map[string]string {
			return map[string]string{"KRING_DATABASE_URL": testenv.PostgresURL(t)}
		},
	}
	for name, environment := range databases {
		t.Run(name, func(t *testing.T) {
			env := environment(t)
			body(t, func(t *testing.T, args ...string) (int, string, string) {
				t.Helper()
				var stdout, stderr bytes.Buffer
				code := run(context.Background(), append([]string{"admin"}, args...), &stdout, &stderr, envFrom(env))
				return code, stdout.String(), stderr.String()
			})
		})
	}
}

func TestAdminCreatesOrganisationsStaffAndGroups(t *testing.T) {
	t.Parallel()
	forEachAdminDatabase(t, func(t *testing.T, admin adminRunner) {
		code, out, errOut := admin(t, "org", "create", "--slug", "acme", "--name", "Acme", "--json")
		if code != exitOK {
			t.Fatalf("org create: exit %d: %s", code, errOut)
		}
		var org organisationView
		if err := json.Unmarshal([]byte(out), &org); err != nil || org.Slug != "acme" || org.Name != "Acme" || org.ID == "" {
			t.Fatalf("org create --json printed %q (%v)", out, err)
		}

		code, out, errOut = admin(t, "staff", "create", "--org", "acme", "--email", "Mod@Acme.example", "--role", "moderator", "--json")
		if code != exitOK {
			t.Fatalf("staff create: exit %d: %s", code, errOut)
		}
		var staff staffView
		if err := json.Unmarshal([]byte(out), &staff); err != nil {
			t.Fatal(err)
		}
		if staff.Email != "mod@acme.example" || staff.Role != "moderator" || len(staff.Password) < 20 {
			t.Errorf("staff create printed %+v; want a lowercased e-mail, the role and a generated password", staff)
		}

		code, out, errOut = admin(t, "group", "create", "--org", "acme", "--slug", "lobby", "--name", "Lobby", "--approve-followers")
		if code != exitOK || !strings.Contains(out, "lobby") {
			t.Fatalf("group create: exit %d: %s %s", code, out, errOut)
		}
		// Flags after the positional argument work too.
		code, out, errOut = admin(t, "group", "show", "lobby", "--json")
		if code != exitOK {
			t.Fatalf("group show: exit %d: %s", code, errOut)
		}
		var detail groupDetail
		if err := json.Unmarshal([]byte(out), &detail); err != nil {
			t.Fatal(err)
		}
		if detail.Organisation != "acme" || !detail.ApproveFollowers || detail.Actor != "http://127.0.0.1:8080/groups/lobby" ||
			detail.WebFinger != "@lobby@127.0.0.1:8080" || !strings.Contains(detail.PublicKeyPEM, "BEGIN PUBLIC KEY") {
			t.Errorf("group show printed %+v", detail)
		}

		code, out, _ = admin(t, "group", "list", "--org", "acme", "--json")
		var list []groupView
		if code != exitOK || json.Unmarshal([]byte(out), &list) != nil || len(list) != 1 || list[0].Slug != "lobby" {
			t.Errorf("group list: exit %d, %q", code, out)
		}
		code, out, errOut = admin(t, "domain-block", "add", "--domain", "Spam.Example", "--reason", "spam", "--json")
		var block domainBlockView
		if code != exitOK || json.Unmarshal([]byte(out), &block) != nil || block.Domain != "spam.example" || block.Scope != "instance" {
			t.Fatalf("domain-block add: exit %d, %q %q", code, out, errOut)
		}
		if code, _, errOut = admin(t, "domain-block", "add", "--domain", "spam.example"); code != exitConflict {
			t.Errorf("duplicate domain block: exit %d %q", code, errOut)
		}
		code, out, _ = admin(t, "domain-block", "list")
		if code != exitOK || !strings.Contains(out, "spam.example	suspend	instance") {
			t.Errorf("domain-block list: exit %d, %q", code, out)
		}
		code, out, _ = admin(t, "org", "list")
		if code != exitOK || !strings.Contains(out, "acme\tAcme") {
			t.Errorf("org list: exit %d, %q", code, out)
		}
	})
}

func TestAdminRefusesBadInputWithClearErrors(t *testing.T) {
	t.Parallel()
	forEachAdminDatabase(t, func(t *testing.T, admin adminRunner) {
		if code, _, errOut := admin(t, "org", "create", "--slug", "acme", "--name", "Acme"); code != exitOK {
			t.Fatalf("setup: %s", errOut)
		}
		if code, _, errOut := admin(t, "staff", "create", "--org", "acme", "--email", "mod@acme.example", "--role", "moderator"); code != exitOK {
			t.Fatalf("setup: %s", errOut)
		}
		cases := []struct {
			name string
			args []string
			code int
			want string
		}{
			{"duplicate organisation", []string{"org", "create", "--slug", "acme", "--name", "Again"}, exitConflict, "already exists"},
			{"malformed slug", []string{"org", "create", "--slug", "Bad Slug", "--name", "X"}, exitInvalid, "slug"},
			{"reserved slug", []string{"org", "create", "--slug", "admin", "--name", "X"}, exitInvalid, "slug"},
			{"empty name", []string{"org", "create", "--slug", "other", "--name", " "}, exitUsage, "--name is required"},
			{"missing flag", []string{"org", "create", "--name", "X"}, exitUsage, "--slug is required"},
			{"duplicate staff e-mail", []string{"staff", "create", "--org", "acme", "--email", "MOD@acme.example", "--role", "admin"}, exitConflict, "email"},
			{"malformed e-mail", []string{"staff", "create", "--org", "acme", "--email", "not-an-email", "--role", "admin"}, exitInvalid, "email"},
			{"unknown role", []string{"staff", "create", "--org", "acme", "--email", "x@acme.example", "--role", "king"}, exitInvalid, "role"},
			{"short password", []string{"staff", "create", "--org", "acme", "--email", "y@acme.example", "--role", "admin", "--password", "short"}, exitInvalid, "password"},
			{"unknown organisation", []string{"group", "create", "--org", "nope", "--slug", "lobby", "--name", "Lobby"}, exitNotFound, "organisation"},
			{"unknown posting policy", []string{"group", "create", "--org", "acme", "--slug", "lobby", "--name", "Lobby", "--posting-policy", "chaos"}, exitInvalid, "posting_policy"},
			{"unknown group", []string{"group", "show", "nope"}, exitNotFound, "group"},
			{"stray argument", []string{"org", "create", "acme", "--name", "X"}, exitUsage, "usage"},
			{"unknown action", []string{"org", "explode"}, exitUsage, "usage"},
			{"reset unknown account", []string{"staff", "reset-password", "--email", "ghost@acme.example"}, exitNotFound, "email"},
			{"malformed domain", []string{"domain-block", "add", "--domain", "https://spam.example"}, exitInvalid, "domain"},
			{"unknown severity", []string{"domain-block", "add", "--domain", "spam.example", "--severity", "nuke"}, exitInvalid, "severity"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				code, _, errOut := admin(t, tc.args...)
				if code != tc.code {
					t.Errorf("exit code %d, want %d (stderr %q)", code, tc.code, errOut)
				}
				if !strings.Contains(errOut, tc.want) {
					t.Errorf("stderr %q should mention %q", errOut, tc.want)
				}
			})
		}
	})
}

func TestAdminResetsPasswords(t *testing.T) {
	t.Parallel()
	forEachAdminDatabase(t, func(t *testing.T, admin adminRunner) {
		admin(t, "org", "create", "--slug", "acme", "--name", "Acme")
		admin(t, "staff", "create", "--org", "acme", "--email", "owner@acme.example", "--role", "owner")
		code, out, errOut := admin(t, "staff", "reset-password", "--email", "owner@acme.example", "--json")
		var view staffView
		if code != exitOK || json.Unmarshal([]byte(out), &view) != nil || len(view.Password) < 20 {
			t.Fatalf("reset-password: exit %d, %q %q", code, out, errOut)
		}
		code, out, _ = admin(t, "staff", "reset-password", "--email", "owner@acme.example", "--password", "a chosen passphrase")
		if code != exitOK || strings.Contains(out, "generated") {
			t.Errorf("reset with a chosen password: exit %d, %q", code, out)
		}
	})
}
