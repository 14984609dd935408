package admin_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// cardNumbers reads the four numbers of a group's card on the dashboard: members, follow requests,
// posts waiting and open reports; nil when the page has no card for the group.
func cardNumbers(t *testing.T, page, slug string) []string {
	t.Helper()
	card := regexp.MustCompile(`(?s)<section class="card" aria-labelledby="g-` + slug + `">.*?</section>`).FindString(page)
	if card == "" {
		return nil
	}
	var numbers []string
	for _, m := range regexp.MustCompile(`<dd>([^<]*)</dd>`).FindAllStringSubmatch(card, -1) {
		numbers = append(numbers, m[1])
	}
	return numbers
}

// TestDashboardCountsEachGroup: every card counts its own group's accepted followers, follow
// requests, held posts and open reports, whoever looks, and only the groups the reader may see have
// cards.
func TestDashboardCountsEachGroup(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		s.member(s.lobby)
		s.member(s.lobby)
		s.follower(s.lobby, model.FollowPending)
		s.follower(s.lobby, model.FollowRejected)
		s.newPost(s.lobby, "<p>shown</p>", conversations.Shared)
		s.newPost(s.desk, "<p>waiting</p>", conversations.Held) // desk is pre-moderated
		s.flagged(s.desk, "spam")                               // a second held post, and its report
		s.member(s.away)
		want := map[string][]string{"lobby": {"3", "1", "0", "0"}, "desk": {"2", "0", "2", "1"}, "elsewhere": {"1", "0", "0", "0"}}
		for _, tc := range []struct {
			email string
			sees  []string
		}{
			{acmeAdmin, []string{"lobby", "desk"}},
			{lobbyMod, []string{"lobby"}},
			{deskMod, []string{"desk"}},
			{otherAdmin, []string{"elsewhere"}},
			{instanceAdmin, []string{"lobby", "desk", "elsewhere"}},
		} {
			_, page := s.loggedIn(tc.email).get("/admin")
			for slug, numbers := range want {
				got := cardNumbers(t, page, slug)
				switch {
				case !contains(tc.sees, slug) && got != nil:
					t.Errorf("%s is shown %s's card", tc.email, slug)
				case contains(tc.sees, slug) && strings.Join(got, " ") != strings.Join(numbers, " "):
					t.Errorf("%s sees %s's card count %q, want %q", tc.email, slug, got, numbers)
				}
			}
		}
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestQueueSaysWhyEachPostWaits: the queue names, for each post, its author's silenced server and the
// holding filters its text matches, and only those.
func TestQueueSaysWhyEachPostWaits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSite(t, testenv.SQLite(t))
	if _, err := s.store.CreateDomainBlock(ctx, model.DomainBlock{OrganisationID: &s.lobby.OrganisationID, Domain: "social.example",
		Severity: model.SeveritySilence}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []conversations.NewFilter{{Keyword: "review", WholeWord: true, Action: model.FilterHold},
		{Keyword: "urgent", Action: model.FilterHold}, {Keyword: "never", Action: model.FilterReject}} {
		if _, err := s.talk.AddFilter(ctx, s.lobby.ID, nil, f); err != nil {
			t.Fatal(err)
		}
	}
	plain := s.newPost(s.lobby, "<p>hello</p>", conversations.Held)
	reviewed := s.newPost(s.lobby, "<p>please REVIEW this</p>", conversations.Held)
	both := s.newPost(s.lobby, "<p>review, it is urgent</p>", conversations.Held)
	_, page := s.loggedIn(lobbyMod).get("/admin/groups/lobby/queue")
	silenced := "the author&#39;s server social.example is silenced"
	for post, want := range map[string][]string{
		plain.ID:    {silenced},
		reviewed.ID: {silenced, "the keyword filter &#34;review&#34;"},
		both.ID:     {silenced, "the keyword filter &#34;review&#34;", "the keyword filter &#34;urgent&#34;"},
	} {
		row := regexp.MustCompile(`(?s)<tr id="post-` + post + `">.*?</tr>`).FindString(page)
		cells := regexp.MustCompile(`(?s)<td>(.*?)</td>`).FindAllStringSubmatch(row, -1)
		if len(cells) < 2 {
			t.Fatalf("no row for post %s in %s", post, page)
		}
		if got := strings.TrimSuffix(cells[1][1], "<br>"); got != strings.Join(want, "<br>") {
			t.Errorf("post %s held because %q, want %q", post, got, want)
		}
	}
}
