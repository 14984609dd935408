package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// TestFiltersThroughAdmin: filters added in the admin act on posts that arrive next (rejected ones
// are not stored; held ones wait in the queue, which says which filter held them), a bad or repeated
// keyword is refused, deleting a filter lets such posts through again, and both changes are logged
// with the moderator who made them.
func TestFiltersThroughAdmin(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		b := s.loggedIn(lobbyMod)
		const page = "/admin/groups/lobby/filters"
		for _, add := range []url.Values{
			{"keyword": {"Casino"}, "whole_word": {"yes"}, "action": {"reject"}},
			{"keyword": {"crypto"}, "action": {"hold"}},
		} {
			if status, _ := b.submit(page, page, add); status != http.StatusSeeOther {
				t.Fatalf("add %v: %d", add, status)
			}
		}
		for _, bad := range []struct {
			form url.Values
			want int
		}{
			{url.Values{"keyword": {""}, "action": {"hold"}}, http.StatusBadRequest},
			{url.Values{"keyword": {"x"}, "action": {"delete"}}, http.StatusBadRequest},
			{url.Values{"keyword": {"CASINO"}, "action": {"hold"}}, http.StatusConflict},
		} {
			if status, _ := b.submit(page, page, bad.form); status != bad.want {
				t.Errorf("add %v: %d, want %d", bad.form, status, bad.want)
			}
		}
		_, listed := b.get(page)
		for _, want := range []string{"<code>casino</code>", "<code>crypto</code>", "the whole word", "anywhere, even inside words", "rejected", "held for review"} {
			if !strings.Contains(listed, want) {
				t.Errorf("filters page lacks %q", want)
			}
		}

		if result := s.postBy(s.member(s.lobby), s.lobby, "<p>Big <em>casino</em> night</p>"); result.Outcome != conversations.Refused ||
			!strings.Contains(result.Reason, `"casino"`) || result.PostID != "" {
			t.Errorf("post matching the rejecting filter: %+v", result)
		}
		held := s.newPost(s.lobby, "<p>Cryptocurrency advice</p>", conversations.Held)
		_, queue := b.get("/admin/groups/lobby/queue")
		if !strings.Contains(queue, "Cryptocurrency advice") || !strings.Contains(queue, "the keyword filter &#34;crypto&#34;") {
			t.Errorf("queue should show the held post and its filter: %s", queue)
		}
		s.newPost(s.lobby, "<p>casinos, plural, are another word</p>", conversations.Shared)

		filters, err := s.talk.Filters(context.Background(), s.lobby.ID)
		if err != nil || len(filters) != 2 {
			t.Fatalf("filters %+v %v", filters, err)
		}
		casino := filters[0]
		if status, _ := b.submit(page, page+"/"+casino.ID+"/delete", nil); status != http.StatusSeeOther {
			t.Fatalf("delete: %d", status)
		}
		if status, _ := b.submit(page, page+"/"+casino.ID+"/delete", nil); status != http.StatusNotFound {
			t.Errorf("delete twice: %d, want 404", status)
		}
		s.newPost(s.lobby, "<p>Big casino night</p>", conversations.Shared)
		if s.postNow(held.ID).State != model.PostHeld {
			t.Error("deleting a filter must not change posts already held")
		}

		staff := s.staffID(lobbyMod)
		for action, count := range map[model.LogAction]int{model.ActionFilterAdd: 2, model.ActionFilterRemove: 1} {
			logged := s.logged(s.lobby, action)
			if len(logged) != count {
				t.Errorf("%s logged %d times, want %d", action, len(logged), count)
			}
			for _, entry := range logged {
				if entry.StaffAccountID == nil || *entry.StaffAccountID != staff {
					t.Errorf("%s logged without the moderator: %+v", action, entry)
				}
			}
		}
	})
}

// TestFilterOfAnotherGroup: a filter is deleted only through its own group's page.
func TestFilterOfAnotherGroup(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.Postgres(t))
	deskFilter, err := s.talk.AddFilter(context.Background(), s.desk.ID, nil, conversations.NewFilter{Keyword: "spam", Action: model.FilterHold})
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := s.loggedIn(lobbyMod).submit("/admin", "/admin/groups/lobby/filters/"+deskFilter.ID+"/delete", nil); status != http.StatusNotFound {
		t.Errorf("deleting desk's filter through lobby: %d, want 404", status)
	}
	if filters, err := s.talk.Filters(context.Background(), s.desk.ID); err != nil {
		t.Fatal(err)
	} else if len(filters) != 1 {
		t.Error("desk's filter is gone")
	}
}

// TestFiltersRoles: who may list, add and delete lobby's keyword filters.
func TestFiltersRoles(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.Postgres(t))
	ctx := context.Background()
	n := 0
	filter := func() string {
		n++
		added, err := s.talk.AddFilter(ctx, s.lobby.ID, nil, conversations.NewFilter{Keyword: fmt.Sprintf("word%d", n), Action: model.FilterHold})
		if err != nil {
			t.Fatal(err)
		}
		return "/admin/groups/lobby/filters/" + added.ID + "/delete"
	}
	// Each allowed staff member adds the same keyword, so the one added before goes first.
	withoutAdded := func() string {
		filters, err := s.talk.Filters(ctx, s.lobby.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range filters {
			if f.Keyword == "added" {
				if err := s.talk.RemoveFilter(ctx, s.lobby.ID, f.ID, nil); err != nil {
					t.Fatal(err)
				}
			}
		}
		return "/admin/groups/lobby/filters"
	}
	checkRoles(t, s, s.lobby, []roleRoute{
		{name: "filters", target: func() string { return "/admin/groups/lobby/filters" }},
		{name: "add", post: true, target: withoutAdded, form: url.Values{"keyword": {"added"}, "action": {"hold"}}},
		{name: "delete", post: true, target: filter},
	}, []string{lobbyMod, acmeAdmin, acmeOwner, instanceAdmin}, []string{otherAdmin, deskMod})
}
