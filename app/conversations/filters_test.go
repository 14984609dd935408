package conversations_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// TestKeywordFiltersOnSubmit: a rejecting filter refuses a matching post (nothing stored, the reason
// names the filter), a holding one puts it in the queue with the filter given as the reason, a
// rejecting filter wins over a holding one, and posts that match nothing go through.
func TestKeywordFiltersOnSubmit(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.addFilters(conversations.NewFilter{Keyword: " Casino ", WholeWord: true, Action: model.FilterReject},
			conversations.NewFilter{Keyword: "crypto", WholeWord: false, Action: model.FilterHold})
		cases := []struct {
			content string
			want    conversations.Outcome
			reason  string
		}{
			{"<p>Visit the <b>CASINO</b> tonight</p>", conversations.Refused, `rejected by the keyword filter "casino"`},
			{"<p>cryptocurrency tips</p>", conversations.Held, ""},
			{"<p>crypto casino</p>", conversations.Refused, `"casino"`},
			{"<p>casinos are not the keyword</p>", conversations.Shared, ""},
			{"<p>hello everyone</p>", conversations.Shared, ""},
		}
		for _, tc := range cases {
			result := f.post(tc.content)
			if result.Outcome != tc.want || !strings.Contains(result.Reason, tc.reason) {
				t.Errorf("%q: %s %q, want %s with %q", tc.content, result.Outcome, result.Reason, tc.want, tc.reason)
			}
			if tc.want == conversations.Refused && result.PostID != "" {
				t.Errorf("%q: a refused post must not be stored", tc.content)
			}
			if tc.want != conversations.Held {
				continue
			}
			held, err := st.PostByID(ctx, result.PostID)
			if err != nil || held.State != model.PostHeld {
				t.Fatalf("held post: %+v %v", held, err)
			}
			reasons, err := f.talk.HoldReasons(ctx, f.group, held, &f.author)
			if err != nil || len(reasons) != 1 || reasons[0] != `the keyword filter "crypto"` {
				t.Errorf("hold reasons %q %v", reasons, err)
			}
		}
		posts, err := f.talk.Posts(ctx, "lobby", "", 0)
		if err != nil || len(posts) != 3 {
			t.Errorf("stored %d posts (%v), want the held one and the two shared", len(posts), err)
		}
	})
}

// TestKeywordFilterChanges: keywords are checked and kept lowercase, one keyword per group, a
// filter of another group cannot be removed through this one, and both changes are logged with the
// staff member who made them.
func TestKeywordFilterChanges(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		for _, bad := range []struct {
			add  conversations.NewFilter
			kind apperror.Kind
		}{
			{conversations.NewFilter{Keyword: "  ", Action: model.FilterHold}, apperror.KindInvalid},
			{conversations.NewFilter{Keyword: "two\nlines", Action: model.FilterHold}, apperror.KindInvalid},
			{conversations.NewFilter{Keyword: strings.Repeat("x", 101), Action: model.FilterHold}, apperror.KindInvalid},
			{conversations.NewFilter{Keyword: "spam", Action: "delete"}, apperror.KindInvalid},
		} {
			if _, err := f.talk.AddFilter(ctx, f.group.ID, f.staffID, bad.add); apperror.KindOf(err) != bad.kind {
				t.Errorf("%+v: %v, want %s", bad.add, err, bad.kind)
			}
		}
		added, err := f.talk.AddFilter(ctx, f.group.ID, f.staffID, conversations.NewFilter{Keyword: "Spam", WholeWord: true, Action: model.FilterHold})
		if err != nil || added.Keyword != "spam" || !added.WholeWord || added.Action != model.FilterHold || *added.CreatedByStaffID != *f.staffID {
			t.Fatalf("added %+v %v", added, err)
		}
		if _, err := f.talk.AddFilter(ctx, f.group.ID, f.staffID, conversations.NewFilter{Keyword: "SPAM", Action: model.FilterReject}); apperror.KindOf(err) != apperror.KindConflict {
			t.Errorf("same keyword again: %v, want a conflict", err)
		}
		if err := f.talk.RemoveFilter(ctx, "some-other-group", added.ID, f.staffID); apperror.KindOf(err) != apperror.KindNotFound {
			t.Errorf("removing through another group: %v, want not found", err)
		}
		if err := f.talk.RemoveFilter(ctx, f.group.ID, added.ID, f.staffID); err != nil {
			t.Fatal(err)
		}
		if err := f.talk.RemoveFilter(ctx, f.group.ID, added.ID, f.staffID); apperror.KindOf(err) != apperror.KindNotFound {
			t.Errorf("removing twice: %v", err)
		}
		if left, err := f.talk.Filters(ctx, f.group.ID); err != nil || len(left) != 0 {
			t.Errorf("filters left: %+v %v", left, err)
		}
		for _, action := range []model.LogAction{model.ActionFilterAdd, model.ActionFilterRemove} {
			logged := f.actions(action)
			if len(logged) != 1 || logged[0].TargetID != added.ID || *logged[0].StaffAccountID != *f.staffID ||
				!strings.Contains(logged[0].Metadata, `"keyword":"spam"`) {
				t.Errorf("%s logged %+v", action, logged)
			}
		}
	})
}

// TestHoldReasons names everything that holds a post now: a silenced server and a holding filter
// together; rejecting filters are not reasons to hold.
func TestHoldReasons(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, testenv.SQLite(t))
	if _, err := f.store.CreateDomainBlock(ctx, model.DomainBlock{OrganisationID: &f.group.OrganisationID, Domain: "remote.example",
		Severity: model.SeveritySilence}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.talk.AddFilter(ctx, f.group.ID, nil, conversations.NewFilter{Keyword: "review", WholeWord: true, Action: model.FilterHold}); err != nil {
		t.Fatal(err)
	}
	result := f.post("<p>please review</p>")
	if result.Outcome != conversations.Held {
		t.Fatalf("posted: %+v", result)
	}
	if _, err := f.talk.AddFilter(ctx, f.group.ID, nil, conversations.NewFilter{Keyword: "please", WholeWord: true, Action: model.FilterReject}); err != nil {
		t.Fatal(err)
	}
	post, err := f.store.PostByID(ctx, result.PostID)
	if err != nil {
		t.Fatal(err)
	}
	reasons, err := f.talk.HoldReasons(ctx, f.group, post, &f.author)
	want := []string{"the author's server remote.example is silenced", `the keyword filter "review"`}
	if err != nil || strings.Join(reasons, "|") != strings.Join(want, "|") {
		t.Errorf("reasons %q (%v), want %q", reasons, err, want)
	}
}

// TestKeywordFiltersOnEdit: an author cannot slip past the filters by editing a shared post. An edit
// that matches a rejecting filter removes the post, one that matches a holding filter puts it back
// in the queue (approving it announces it anew); both withdraw the group's Announces and are logged
// as Kring's. A harmless edit leaves the post shared.
func TestKeywordFiltersOnEdit(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.addFilters(conversations.NewFilter{Keyword: "casino", WholeWord: true, Action: model.FilterReject},
			conversations.NewFilter{Keyword: "crypto", Action: model.FilterHold})
		edit := func(content string) model.Post {
			t.Helper()
			shared := f.post("<p>hello everyone</p>")
			post, err := st.PostByID(ctx, shared.PostID)
			if err != nil || post.State != model.PostVisible {
				t.Fatalf("shared post: %+v %v", post, err)
			}
			changed, err := f.talk.ApplyEdit(ctx, f.author, conversations.Edit{ObjectIRI: post.ObjectIRI, ContentHTML: content})
			if err != nil || changed != 1 {
				t.Fatalf("edit to %q: %d %v", content, changed, err)
			}
			post, err = st.PostByID(ctx, shared.PostID)
			if err != nil || post.ContentHTML != content {
				t.Fatalf("edited post: %+v %v", post, err)
			}
			return post
		}

		if harmless := edit("<p>hello all</p>"); harmless.State != model.PostVisible || len(f.fed.withdrawn) != 0 {
			t.Errorf("a harmless edit: %s, withdrawn %q", harmless.State, f.fed.withdrawn)
		}
		removed := edit("<p>come to the casino</p>")
		if removed.State != model.PostRemoved || !strings.Contains(removed.RemovedReason, `"casino"`) {
			t.Errorf("edited to a rejected keyword: %s %q", removed.State, removed.RemovedReason)
		}
		held := edit("<p>crypto tips</p>")
		if held.State != model.PostHeld {
			t.Errorf("edited to a held keyword: %s", held.State)
		}
		if len(f.fed.withdrawn) != 2 || f.fed.withdrawn[0] != removed.ID || f.fed.withdrawn[1] != held.ID {
			t.Errorf("withdrawn %q, want the removed then the held post", f.fed.withdrawn)
		}
		for action, post := range map[model.LogAction]model.Post{model.ActionPostRemove: removed, model.ActionPostHold: held} {
			logged := f.actions(action)
			if len(logged) != 1 || logged[0].TargetID != post.ID || logged[0].StaffAccountID != nil {
				t.Errorf("%s logged %+v, want one entry by Kring about %s", action, logged, post.ID)
			}
		}
		announcedBefore := len(f.fed.announced)
		if _, err := f.talk.Approve(ctx, held.ID, f.staffID); err != nil {
			t.Fatal(err)
		}
		if len(f.fed.announced) == announcedBefore {
			t.Errorf("approving the re-held post announced nothing")
		}
	})
}

// addFilters adds keyword filters to the fixture's group in the staff member's name.
func (f *fixture) addFilters(filters ...conversations.NewFilter) {
	f.t.Helper()
	for _, add := range filters {
		if _, err := f.talk.AddFilter(context.Background(), f.group.ID, f.staffID, add); err != nil {
			f.t.Fatal(err)
		}
	}
}
