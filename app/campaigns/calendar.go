package campaigns

import (
	"context"
	"errors"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/store"
)

// calendarLimit bounds each kind of entry one calendar page reads: far more than a month of any
// organisation's outreach, and a page that still renders when something floods it.
const calendarLimit = 2000

// Scope is whose outreach a reader sees: one organisation's, in the groups they may see (all of them
// for its admins, a moderator's own groups), of one campaign or all.
type Scope struct {
	OrganisationID string
	GroupIDs       []string
	CampaignID     string
}

// Calendar is one page of the outreach calendar: the period's days with their entries.
type Calendar struct {
	Period Period
	Days   []Day
	// Truncated says some kind of entry had more than a page reads: the page shows the first ones.
	Truncated bool
}

// Day is one day of the calendar with its entries in time order.
type Day struct {
	Date    time.Time // midnight UTC of the day, as Period keeps dates
	InMonth bool      // of the month a month view is about
	Today   bool
	Entries []Entry
}

// Calendar gathers what scope's groups published, their events and their drafts in review or
// scheduled, in the period, each on the day it falls on in the period's zone: three queries, each
// over the period's range of an index.
func (s *Service) Calendar(ctx context.Context, scope Scope, period Period) (Calendar, error) {
	if err := s.checkCampaign(ctx, scope); err != nil {
		return Calendar{}, err
	}
	filter := store.OutreachFilter{OrganisationID: scope.OrganisationID, GroupIDs: scope.GroupIDs, CampaignID: scope.CampaignID,
		From: period.From(), To: period.To(), Limit: calendarLimit}
	entries, truncated, err := s.entries(ctx, filter)
	if err != nil {
		return Calendar{}, err
	}
	return placeOnDays(period, entries, period.DayOf(s.now()), truncated), nil
}

// entries reads the filter's publications, events and waiting drafts, in time order, and whether
// any kind reached the filter's limit.
func (s *Service) entries(ctx context.Context, filter store.OutreachFilter) ([]Entry, bool, error) {
	posts, err := s.store.SentGroupPosts(ctx, filter)
	if err != nil {
		return nil, false, err
	}
	events, err := s.store.EventsOfGroups(ctx, filter)
	if err != nil {
		return nil, false, err
	}
	drafts, err := s.store.WaitingDrafts(ctx, filter)
	if err != nil {
		return nil, false, err
	}
	truncated := len(posts) >= filter.Limit || len(events) >= filter.Limit || len(drafts) >= filter.Limit
	entries := append(append(publicationEntries(posts), eventEntries(events)...), draftEntries(drafts)...)
	sortEntries(entries)
	return entries, truncated, nil
}

// placeOnDays puts entries on the days of the period they fall on in its zone.
func placeOnDays(period Period, entries []Entry, today time.Time, truncated bool) Calendar {
	cal := Calendar{Period: period, Truncated: truncated}
	index := map[time.Time]int{}
	for _, date := range period.Days() {
		index[date] = len(cal.Days)
		cal.Days = append(cal.Days, Day{Date: date, InMonth: period.InMonth(date), Today: date.Equal(today)})
	}
	for _, entry := range entries {
		entry.At = entry.At.In(period.Zone)
		if i, ok := index[period.DayOf(entry.At)]; ok {
			cal.Days[i].Entries = append(cal.Days[i].Entries, entry)
		}
	}
	return cal
}

// checkCampaign refuses a scope naming a campaign that is not the organisation's.
func (s *Service) checkCampaign(ctx context.Context, scope Scope) error {
	if scope.CampaignID == "" {
		return nil
	}
	campaign, err := s.store.CampaignByID(ctx, scope.CampaignID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && campaign.OrganisationID != scope.OrganisationID) {
		return apperror.Invalid("campaign", "no such campaign in this organisation")
	}
	return err
}
