package campaigns_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/campaigns"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// shown lists a calendar's entries as "date kind title [groups] #campaign", date in the calendar's
// zone.
func shown(cal campaigns.Calendar) []string {
	var out []string
	for _, d := range cal.Days {
		for _, e := range d.Entries {
			var groups []string
			for _, g := range e.Groups {
				groups = append(groups, g.Slug)
			}
			sort.Strings(groups)
			line := fmt.Sprintf("%s %s %s [%s]", d.Date.Format(time.DateOnly), e.Kind, e.Title, strings.Join(groups, " "))
			if e.Kind == campaigns.EntryDraft {
				line += " " + string(e.DraftState)
			}
			if e.Campaign != nil {
				line += " #" + e.Campaign.Hashtag
			}
			if e.At.Location() != cal.Period.Zone {
				line += " (not in the calendar's zone)"
			}
			out = append(out, line)
		}
	}
	return out
}

func sameLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n%s\nwant:\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Each kind of entry is put on the day it falls on in the zone asked for, across a change of the
// clocks; a publication in several groups is one entry; only drafts in review or scheduled show;
// the campaign filter, and a moderator's groups, narrow what is shown.
func TestCalendarPlacesEntriesOnTheirLocalDays(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		f := newFixture(t, st)
		spring := f.campaign(f.acme, "Spring drive", "Spring2026")
		foreign := f.campaign(f.other, "Elsewhere", "elsewhere")
		utc := func(s string) time.Time {
			at, err := time.Parse(time.RFC3339, s)
			if err != nil {
				t.Fatal(err)
			}
			return at
		}
		// New York moves to summer time at 07:00 UTC on 8 March 2026.
		f.post(f.lobby, "late on the seventh", utc("2026-03-08T04:30:00Z"), nil, nil) // 23:30 EST on the 7th
		together := model.NewID()
		f.post(f.lobby, "in both groups", utc("2026-03-08T12:00:00Z"), &together, &spring.ID)
		f.post(f.desk, "in both groups", utc("2026-03-08T12:00:00Z"), &together, &spring.ID)
		f.post(f.desk, "desk alone", utc("2026-03-31T23:30:00Z"), nil, nil) // 19:30 EDT on the 31st
		f.post(f.away, "another organisation's", utc("2026-03-10T12:00:00Z"), nil, &foreign.ID)
		f.post(f.lobby, "before the grid", utc("2026-02-23T04:59:00Z"), nil, nil) // 23:59 EST on 22 Feb
		f.post(f.lobby, "after the grid", utc("2026-04-06T04:00:00Z"), nil, nil)  // 00:00 EDT on 6 Apr
		f.event(f.lobby, "Picnic", utc("2026-03-08T07:30:00Z"), &spring.ID)       // 03:30 EDT on the 8th
		f.event(f.desk, "Desk meeting", utc("2026-04-05T03:59:00Z"), nil)         // 23:59 EDT on 4 Apr
		f.event(f.away, "Their event", utc("2026-03-12T12:00:00Z"), nil)
		f.draft("Waiting for a second pair of eyes", model.DraftInReview, ptr(utc("2026-03-20T16:00:00Z")), &spring.ID, f.lobby, f.desk)
		f.draft("Going out by itself", model.DraftScheduled, ptr(utc("2026-02-23T05:00:00Z")), nil, f.desk) // 00:00 EST on 23 Feb
		f.draft("Still being written", model.DraftWriting, ptr(utc("2026-03-21T16:00:00Z")), nil, f.lobby)
		f.draft("Went out", model.DraftPublished, ptr(utc("2026-03-22T16:00:00Z")), nil, f.lobby)
		f.draft("No time yet", model.DraftInReview, nil, nil, f.lobby)

		period, err := campaigns.PeriodOf("month", "2026-03-15", "America/New_York", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		everything := campaigns.Scope{OrganisationID: f.acme.ID, GroupIDs: []string{f.lobby.ID, f.desk.ID}}
		cal, err := f.service.Calendar(f.ctx, everything, period)
		if err != nil {
			t.Fatal(err)
		}
		if len(cal.Days) != 42 || cal.Truncated {
			t.Fatalf("%d days, truncated %t", len(cal.Days), cal.Truncated)
		}
		sameLines(t, "the organisation's admin", shown(cal), []string{
			"2026-02-23 draft Going out by itself [desk] scheduled",
			"2026-03-07 publication late on the seventh [lobby]",
			"2026-03-08 event Picnic [lobby] #Spring2026",
			"2026-03-08 publication in both groups [desk lobby] #Spring2026",
			"2026-03-20 draft Waiting for a second pair of eyes [desk lobby] in_review #Spring2026",
			"2026-03-31 publication desk alone [desk]",
			"2026-04-04 event Desk meeting [desk]",
		})

		lobbyOnly := campaigns.Scope{OrganisationID: f.acme.ID, GroupIDs: []string{f.lobby.ID}}
		cal, err = f.service.Calendar(f.ctx, lobbyOnly, period)
		if err != nil {
			t.Fatal(err)
		}
		sameLines(t, "lobby's moderator", shown(cal), []string{
			"2026-03-07 publication late on the seventh [lobby]",
			"2026-03-08 event Picnic [lobby] #Spring2026",
			"2026-03-08 publication in both groups [lobby] #Spring2026",
			// The draft goes out in the desk too, where he may not write: he sees it neither here
			// nor on the drafts' pages.
		})

		everything.CampaignID = spring.ID
		cal, err = f.service.Calendar(f.ctx, everything, period)
		if err != nil {
			t.Fatal(err)
		}
		sameLines(t, "the spring campaign", shown(cal), []string{
			"2026-03-08 event Picnic [lobby] #Spring2026",
			"2026-03-08 publication in both groups [desk lobby] #Spring2026",
			"2026-03-20 draft Waiting for a second pair of eyes [desk lobby] in_review #Spring2026",
		})

		week, err := campaigns.PeriodOf("week", "2026-03-08", "UTC", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		everything.CampaignID = ""
		cal, err = f.service.Calendar(f.ctx, everything, week)
		if err != nil {
			t.Fatal(err)
		}
		sameLines(t, "the week in UTC", shown(cal), []string{
			"2026-03-08 publication late on the seventh [lobby]",
			"2026-03-08 event Picnic [lobby] #Spring2026",
			"2026-03-08 publication in both groups [desk lobby] #Spring2026",
		})

		for _, other := range []string{foreign.ID, model.NewID(), "not an id \x00"} {
			everything.CampaignID = other
			if _, err := f.service.Calendar(f.ctx, everything, period); apperror.KindOf(err) != apperror.KindInvalid {
				t.Errorf("campaign %q: %v, want invalid", other, err)
			}
		}
	})
}

// A campaign's page gathers its publications, events and waiting drafts with their counts, in the
// reader's groups only.
func TestCampaignOverview(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		f := newFixture(t, st)
		spring := f.campaign(f.acme, "Spring drive", "spring")
		other := f.campaign(f.acme, "Other", "")
		at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		together := model.NewID()
		f.post(f.lobby, "first", at, &together, &spring.ID)
		f.post(f.desk, "first", at, &together, &spring.ID)
		f.post(f.desk, "second", at.Add(time.Hour), nil, &spring.ID)
		f.post(f.lobby, "not in it", at, nil, &other.ID)
		f.event(f.lobby, "Picnic", at, &spring.ID)
		f.draft("soon", model.DraftScheduled, ptr(at.Add(48*time.Hour)), &spring.ID, f.desk)
		f.draft("written", model.DraftWriting, nil, &spring.ID, f.desk)

		view, err := f.service.Overview(f.ctx, campaigns.Scope{OrganisationID: f.acme.ID, GroupIDs: []string{f.lobby.ID, f.desk.ID}}, spring)
		if err != nil {
			t.Fatal(err)
		}
		want := store.CampaignCounts{Publications: 2, Posts: 3, Events: 1, WaitingDrafts: 1}
		if view.Counts != want || len(view.Publications) != 2 || len(view.Events) != 1 || len(view.Drafts) != 1 {
			t.Fatalf("counts %+v (want %+v), %d publications, %d events, %d drafts", view.Counts, want, len(view.Publications), len(view.Events), len(view.Drafts))
		}
		if view.Publications[0].Title != "second" || len(view.Publications[1].Groups) != 2 {
			t.Errorf("publications newest first, the first in two groups: %+v", view.Publications)
		}

		view, err = f.service.Overview(f.ctx, campaigns.Scope{OrganisationID: f.acme.ID, GroupIDs: []string{f.lobby.ID}}, spring)
		if err != nil {
			t.Fatal(err)
		}
		want = store.CampaignCounts{Publications: 1, Posts: 1, Events: 1, WaitingDrafts: 0}
		if view.Counts != want || len(view.Publications) != 1 || len(view.Drafts) != 0 {
			t.Errorf("lobby's moderator: counts %+v (want %+v), %d publications, %d drafts", view.Counts, want, len(view.Publications), len(view.Drafts))
		}
	})
}
