package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/kring-social/kring/app/model"
)

// OrganisationFigures are an organisation's rollups over a period, summed two ways: by day over its
// groups (the charts) and by group over the period (the per-group table).
type OrganisationFigures struct {
	ByDay   map[string]GroupDay // keyed by day; a day nothing happened on is absent
	ByGroup map[string]GroupDay // keyed by group id, Day empty; a group nothing happened in is absent
}

// organisationGroups is the condition "the rollup row (alias d) is of one of the organisation's
// groups": a semi-join served by groups_organisation, then each group's index range over the rollup.
const organisationGroups = "d.group_id IN (SELECT id FROM groups WHERE organisation_id = ?)"

// groupDayRow is one group's figures of one day, as the organisation's reads return them.
type groupDayRow struct {
	GroupID string
	GroupDay
}

// OrganisationDays returns the figures of the organisation's groups for the days from through
// through (both 'YYYY-MM-DD', inclusive). Two reads whatever the number of groups: one of
// group_daily_stats, one of post_daily_stats grouped by group and day. Each returns at most a row
// per group and day, which Go sums both ways, rather than asking the database twice per table.
// The reports are left out (zero): the organisation's are OrganisationReportDays'.
func (s *Store) OrganisationDays(ctx context.Context, organisationID, from, through string) (OrganisationFigures, error) {
	if err := s.foldDailyCounts(ctx, groupRollup); err != nil {
		return OrganisationFigures{}, err
	}
	var rows []groupDayRow
	err := scan(s.conn(ctx).Table("group_daily_stats AS d").
		Select(`d.group_id, d.day, d.joins, d.leaves, d.posts_shared, d.group_posts, d.deliveries_attempted,
			d.deliveries_succeeded, d.deliveries_failed, d.posts_held, d.posts_declined, d.posts_removed, d.support_opened,
			d.support_closed, d.support_first_replies, d.support_first_reply_seconds, d.mentions`).
		Where(organisationGroups+" AND d.day >= ? AND d.day <= ?", organisationID, from, through), &rows)
	if err != nil {
		return OrganisationFigures{}, fmt.Errorf("read figures of organisation %s from %s to %s: %w", organisationID, from, through, err)
	}
	var engagement []groupDayRow
	err = scan(s.conn(ctx).Table("post_daily_stats AS d").
		Select("d.group_id, d.day, SUM(d.likes) AS likes, SUM(d.boosts) AS boosts, SUM(d.replies) AS replies").
		Where(organisationGroups+" AND d.day >= ? AND d.day <= ?", organisationID, from, through).
		Group("d.group_id, d.day"), &engagement)
	if err != nil {
		return OrganisationFigures{}, fmt.Errorf("read engagement of organisation %s from %s to %s: %w", organisationID, from, through, err)
	}
	figures := OrganisationFigures{ByDay: map[string]GroupDay{}, ByGroup: map[string]GroupDay{}}
	for _, row := range append(rows, engagement...) {
		figures.ByDay[row.Day] = addDays(figures.ByDay[row.Day], row.GroupDay)
		group := addDays(figures.ByGroup[row.GroupID], row.GroupDay)
		group.Day = ""
		figures.ByGroup[row.GroupID] = group
	}
	return figures, nil
}

// addDays sums two sets of figures, keeping b's day. The reports are summed too, though
// OrganisationDays reads none: an organisation's are its own rollup's (OrganisationReportDays),
// which also counts the reports of its deleted groups and of no group.
func addDays(a, b GroupDay) GroupDay {
	return GroupDay{Day: b.Day, Joins: a.Joins + b.Joins, Leaves: a.Leaves + b.Leaves, PostsShared: a.PostsShared + b.PostsShared,
		GroupPosts: a.GroupPosts + b.GroupPosts, DeliveriesAttempted: a.DeliveriesAttempted + b.DeliveriesAttempted,
		DeliveriesSucceeded: a.DeliveriesSucceeded + b.DeliveriesSucceeded, DeliveriesFailed: a.DeliveriesFailed + b.DeliveriesFailed,
		Likes: a.Likes + b.Likes, Boosts: a.Boosts + b.Boosts, Replies: a.Replies + b.Replies,
		PostsHeld: a.PostsHeld + b.PostsHeld, PostsDeclined: a.PostsDeclined + b.PostsDeclined, PostsRemoved: a.PostsRemoved + b.PostsRemoved,
		ReportsReceived: a.ReportsReceived + b.ReportsReceived, ReportsResolved: a.ReportsResolved + b.ReportsResolved,
		ReportsDismissed: a.ReportsDismissed + b.ReportsDismissed, SupportOpened: a.SupportOpened + b.SupportOpened,
		SupportClosed: a.SupportClosed + b.SupportClosed, SupportFirstReplies: a.SupportFirstReplies + b.SupportFirstReplies,
		SupportFirstReplySeconds: a.SupportFirstReplySeconds + b.SupportFirstReplySeconds, Mentions: a.Mentions + b.Mentions}
}

// TopPostsOfOrganisation is TopPosts over every group of the organisation.
func (s *Store) TopPostsOfOrganisation(ctx context.Context, organisationID, from, through string, limit int) ([]PostEngagement, error) {
	return s.rankPosts(ctx, OfOrganisation(organisationID), from, through, limit)
}

// CountMembersOfGroups counts the accepted followers (the members, as the dashboard counts them) of
// each group of groupIDs: one grouped count per thousand groups, read from follows_group_state
// alone. A group without members is absent.
func (s *Store) CountMembersOfGroups(ctx context.Context, groupIDs []string) (map[string]int64, error) {
	members := make(map[string]int64, len(groupIDs))
	for ids := range slices.Chunk(groupIDs, idsPerQuery) {
		counted, err := s.countByGroup(ctx, &model.Follow{}, "state = ?", model.FollowAccepted, ids)
		if err != nil {
			return nil, fmt.Errorf("count members of %d groups: %w", len(ids), err)
		}
		for id, n := range counted {
			members[id] = n
		}
	}
	return members, nil
}
