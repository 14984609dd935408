package admin_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/events"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// calendarDay is the markup of one day of a calendar page, from its <time> to the next day's.
func calendarDay(t *testing.T, page, date string) string {
	t.Helper()
	start := strings.Index(page, `<time datetime="`+date+`">`)
	if start < 0 {
		t.Fatalf("no day %s on the page", date)
	}
	rest := page[start+1:]
	if end := strings.Index(rest, `<time datetime="`); end >= 0 {
		rest = rest[:end]
	}
	return rest
}

var drafted = regexp.MustCompile(`href="/admin/drafts/([^"]+)"`)

// The calendar puts each kind of entry on its day in the zone asked for, links each, narrows to a
// campaign, shows a moderator only his groups' entries, and refuses what it cannot read.
func TestCalendarThroughAdmin(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := newSite(t, st)
		admin := s.loggedIn(acmeAdmin)
		spring := admin.createCampaign("acme", "Spring drive", "Spring2026")
		theirs := s.loggedIn(otherAdmin).createCampaign("other", "Theirs", "theirs")

		// A post now, in both groups and the campaign; an event of desk at 23:30 in Amsterdam on
		// 28 March 2030, the 29th in Tokyo; a draft of lobby awaiting review.
		posts, err := s.talk.PublishInGroups(ctx, []string{s.lobby.ID, s.desk.ID}, nil, conversations.Draft{Text: "Open doors", CampaignID: spring.ID})
		if err != nil {
			t.Fatal(err)
		}
		// The day it went out, asked for by date so a test running over midnight reads the same day.
		today := posts[0].PublishedAt.UTC().Format(time.DateOnly)
		if _, err := s.eventService.Create(ctx, s.desk.ID, nil, events.Draft{Title: "Late talk", Start: time.Date(2030, 3, 28, 23, 30, 0, 0, time.UTC),
			TimeZone: "Europe/Amsterdam", PlaceName: "Hall"}); err != nil {
			t.Fatal(err)
		}
		content, _ := json.Marshal(map[string]string{"Text": "Please check this"})
		publishAt := time.Date(2030, 3, 20, 9, 0, 0, 0, time.UTC)
		draft := model.PostDraft{ID: model.NewID(), OrganisationID: s.lobby.OrganisationID, CampaignID: &spring.ID, Content: string(content),
			State: model.DraftInReview, Revision: 1, PublishAt: &publishAt, TimeZone: "UTC", CreatedAt: publishAt, UpdatedAt: publishAt}
		if err := st.DB().Create(&draft).Error; err != nil {
			t.Fatal(err)
		}
		if err := st.DB().Create(&model.PostDraftGroup{DraftID: draft.ID, GroupID: s.lobby.ID}).Error; err != nil {
			t.Fatal(err)
		}

		const calendar = "/admin/organisations/acme/calendar"
		status, page := admin.get(calendar + "?date=" + today)
		if status != http.StatusOK {
			t.Fatalf("calendar: %d", status)
		}
		day := calendarDay(t, page, today)
		if !strings.Contains(day, `href="/admin/groups/desk/posts"`) || !strings.Contains(day, `href="/admin/groups/lobby/posts"`) ||
			!strings.Contains(day, "Open doors") || !strings.Contains(day, "#Spring2026") || strings.Count(page, "Open doors") != 1 {
			t.Errorf("today %s does not show the publication once, in both groups, with its campaign: %s", today, day)
		}

		_, page = admin.get(calendar + "?view=month&date=2030-03-15&zone=Asia/Tokyo")
		if day := calendarDay(t, page, "2030-03-29"); !strings.Contains(day, "Late talk") || !strings.Contains(day, `href="/admin/groups/desk/events/`) {
			t.Errorf("the event is not on 29 March in Tokyo: %s", day)
		}
		_, page = admin.get(calendar + "?view=week&date=2030-03-28&zone=Europe/Amsterdam")
		if day := calendarDay(t, page, "2030-03-28"); !strings.Contains(day, "Late talk") || !strings.Contains(day, "23:30") {
			t.Errorf("the event is not at 23:30 on 28 March in Amsterdam: %s", day)
		}
		if day := calendarDay(t, page, "2030-03-28"); strings.Contains(day, "Awaiting review") {
			t.Error("the draft shows on the wrong day")
		}
		_, page = admin.get(calendar + "?view=week&date=2030-03-20")
		day = calendarDay(t, page, "2030-03-20")
		if m := drafted.FindStringSubmatch(day); m == nil || m[1] != draft.ID || !strings.Contains(day, "Awaiting review") || !strings.Contains(day, "Please check this") {
			t.Errorf("the draft is not on 20 March, linked, awaiting review: %s", day)
		}

		_, page = admin.get(calendar + "?view=month&date=2030-03-15&campaign=" + spring.ID)
		if strings.Contains(page, "Late talk") || !strings.Contains(page, "Please check this") {
			t.Error("the campaign filter keeps entries of no campaign, or drops the campaign's")
		}

		// Desk's moderator sees desk's entries only: the publication, named as desk's, not the draft.
		desk := s.loggedIn(deskMod)
		_, page = desk.get(calendar + "?view=week&date=2030-03-20")
		if strings.Contains(page, "Please check this") {
			t.Error("desk's moderator sees lobby's draft")
		}
		_, page = desk.get(calendar + "?date=" + today)
		day = calendarDay(t, page, today)
		if !strings.Contains(day, "Open doors") || strings.Contains(day, "/admin/groups/lobby/posts") {
			t.Errorf("desk's moderator: %s", day)
		}

		for name, query := range map[string]string{
			"unknown zone":           "?zone=Mars/Olympus",
			"the server's zone":      "?zone=Local",
			"date out of range":      "?date=1900-01-01",
			"no such date":           "?date=2030-02-30",
			"unknown view":           "?view=year",
			"zone twice":             "?zone=UTC&zone=Asia/Tokyo",
			"date twice":             "?date=2030-03-01&date=2030-04-01",
			"another organisation's": "?campaign=" + theirs.ID,
			"no such campaign":       "?campaign=" + model.NewID(),
		} {
			if status, _ := admin.get(calendar + query); status != http.StatusBadRequest {
				t.Errorf("%s: %d, want 400", name, status)
			}
		}
	})
}
