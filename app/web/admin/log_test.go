package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// record writes a log entry as email (Kring itself for ""), in group (or the organisation orgID
// when group is nil; the instance when both are empty), with target as its target id.
func (s *site) record(email string, orgID string, group *model.Group, action model.LogAction, target string) {
	s.t.Helper()
	entry := store.LogEntry{Action: action, TargetKind: "test", TargetID: target}
	if email != "" {
		id := s.staffID(email)
		entry.StaffAccountID = &id
	}
	if group != nil {
		orgID = group.OrganisationID
		entry.GroupID = &group.ID
	}
	if orgID != "" {
		entry.OrganisationID = &orgID
	}
	if _, err := s.store.RecordModerationAction(context.Background(), entry); err != nil {
		s.t.Fatal(err)
	}
}

// TestModerationLogVisibility: moderators read the entries of their groups, owners and admins those
// of their organisation, instance admins everything; filters narrow within that.
func TestModerationLogVisibility(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		acme := s.lobby.OrganisationID
		s.record(lobbyMod, "", &s.lobby, "post.remove", "target-lobby")
		s.record(deskMod, "", &s.desk, "post.approve", "target-desk")
		s.record(acmeAdmin, acme, nil, "domain.block", "target-acme")
		s.record(otherAdmin, "", &s.away, "post.remove", "target-other")
		s.record(instanceAdmin, "", nil, "domain.block", "target-instance")
		s.record("", "", &s.lobby, "group.create", "target-kring")
		all := []string{"target-lobby", "target-desk", "target-acme", "target-other", "target-instance", "target-kring"}
		for _, tc := range []struct {
			email, query string
			see          []string
		}{
			{lobbyMod, "", []string{"target-lobby", "target-kring"}},
			{deskMod, "", []string{"target-desk"}},
			{acmeAdmin, "", []string{"target-lobby", "target-desk", "target-acme", "target-kring"}},
			{otherAdmin, "", []string{"target-other"}},
			{instanceAdmin, "", all},
			{acmeOwner, "?group=lobby", []string{"target-lobby", "target-kring"}},
			{acmeOwner, "?action=domain.block", []string{"target-acme"}},
			{instanceAdmin, "?action=domain.block&staff=" + strings.ToUpper(instanceAdmin), []string{"target-instance"}},
			{acmeOwner, "?staff=nobody@acme.test", nil},
		} {
			status, page := s.loggedIn(tc.email).get("/admin/log" + tc.query)
			if status != http.StatusOK {
				t.Fatalf("%s %s: %d", tc.email, tc.query, status)
			}
			for _, target := range all {
				if shown, want := strings.Contains(page, target), slices.Contains(tc.see, target); shown != want {
					t.Errorf("%s %s: %s shown %t, want %t", tc.email, tc.query, target, shown, want)
				}
			}
		}
		_, page := s.loggedIn(acmeAdmin).get("/admin/log")
		for _, want := range []string{"post.remove", "lobbymod@acme.test", `href="/admin/log?group=lobby"`, ">Kring<"} {
			if !strings.Contains(page, want) {
				t.Errorf("log page lacks %q", want)
			}
		}
		if status, _ := s.loggedIn(lobbyMod).get("/admin/log?group=desk"); status != http.StatusForbidden {
			t.Errorf("a moderator filtering on another group: %d", status)
		}
		if status, _ := s.loggedIn(acmeAdmin).get("/admin/log?group=nope"); status != http.StatusNotFound {
			t.Errorf("an unknown group: %d", status)
		}
	})
}

var nextPage = regexp.MustCompile(`href="(/admin/log\?[^"]+)" rel="next"`)

// TestModerationLogPagesAndIsAppendOnly: the log pages newest first without repeating or losing an
// entry, even when new entries arrive between pages, and offers no way to change an entry.
func TestModerationLogPagesAndIsAppendOnly(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.Postgres(t))
	for i := 0; i < 60; i++ {
		s.record(lobbyMod, "", &s.lobby, "post.remove", fmt.Sprintf("entry-%02d.", i))
	}
	b := s.loggedIn(lobbyMod)
	_, first := b.get("/admin/log?action=post.remove")
	if !strings.Contains(first, "entry-59.") || strings.Contains(first, "entry-09.") || !strings.Contains(first, "entry-10.") {
		t.Error("the first page should hold the 50 newest entries")
	}
	next := nextPage.FindStringSubmatch(first)
	if next == nil || !strings.Contains(next[1], "action=post.remove") {
		t.Fatalf("no link to the next page keeping the filter: %v", next)
	}
	s.record(lobbyMod, "", &s.lobby, "post.remove", "entry-new.")
	_, second := b.get(strings.ReplaceAll(next[1], "&amp;", "&"))
	for i := 0; i < 60; i++ {
		if shown, want := strings.Contains(second, fmt.Sprintf("entry-%02d.", i)), i < 10; shown != want {
			t.Errorf("second page: entry %d shown %t", i, shown)
		}
	}
	if nextPage.MatchString(second) || strings.Contains(second, "entry-new.") {
		t.Error("the second page is the last, and new entries appear on the first")
	}
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		req, _ := http.NewRequest(method, s.server.URL+"/admin/log", nil)
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s /admin/log: %d", method, resp.StatusCode)
		}
	}
}

// TestModerationLogRoles: who may read lobby's part of the log.
func TestModerationLogRoles(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.Postgres(t))
	checkRoles(t, s, s.lobby, []roleRoute{
		{name: "log of lobby", target: func() string { return "/admin/log?group=lobby" }},
	}, []string{lobbyMod, acmeAdmin, acmeOwner, instanceAdmin}, []string{otherAdmin, deskMod})
}
