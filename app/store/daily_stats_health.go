package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/kring-social/kring/app/model"
)

// Community health (migration 24) is counted like the rest of the daily rollups: one upsert in the
// event's transaction, made only where the event really happened (the caller saw the post held, the
// report's status move, the conversation's status change), so a repeated event counts nothing.
// Reports count twice: for their group, and for their organisation whatever their group (see
// organisation_daily_stats in the migration for why).

const (
	countPostsHeld        groupCounter = "posts_held"
	countPostsDeclined    groupCounter = "posts_declined"
	countPostsRemoved     groupCounter = "posts_removed"
	countReportsReceived  groupCounter = "reports_received"
	countReportsResolved  groupCounter = "reports_resolved"
	countReportsDismissed groupCounter = "reports_dismissed"
	countSupportOpened    groupCounter = "support_opened"
	countSupportClosed    groupCounter = "support_closed"
)

// rollup is a daily rollup table, the column its rows are keyed by (with the day), the table that
// column refers to and, where its rows carry one, a column of that table they copy.
type rollup struct{ table, key, parent, carried string }

var (
	groupRollup        = rollup{table: "group_daily_stats", key: "group_id", parent: "groups"}
	organisationRollup = rollup{table: "organisation_daily_stats", key: "organisation_id", parent: "organisations"}
	// A post's deliveries of the day carry the post's group, which the group's reads select by.
	postDeliveryRollup = rollup{table: "post_delivery_daily_stats", key: "post_id", parent: "posts", carried: "group_id"}
)

// addToDay adds one to counter of into's row of the day, for each row source yields: selectList
// gives (key, day, 1), source is a FROM and a WHERE, or a bare WHERE (SQLite needs a WHERE before
// ON CONFLICT to parse it).
func (s *Store) addToDay(ctx context.Context, into rollup, counter groupCounter, selectList, source string, args ...any) error {
	sql := fmt.Sprintf(`INSERT INTO %[1]s (%[2]s, day, %[3]s) SELECT %[4]s %[5]s ON CONFLICT (%[2]s, day) DO UPDATE SET %[6]s`,
		into.table, into.key, counter, selectList, source, addExcluded(into.table, string(counter)))
	if err := s.conn(ctx).Exec(sql, args...).Error; err != nil {
		return fmt.Errorf("count %s of the day: %w", counter, err)
	}
	return nil
}

// moderatedPostCounters says which counter a post moving into a state by moderation adds to.
var moderatedPostCounters = map[model.PostState]groupCounter{
	model.PostHeld:     countPostsHeld,
	model.PostDeclined: countPostsDeclined,
	model.PostRemoved:  countPostsRemoved,
}

// CountPostModerated counts a post of the group put into state today by moderation: held for
// review (pre-moderation, a keyword filter, a silenced domain, an edit caught by a filter),
// declined from the queue, or removed (by a moderator, a ban's clean-up, an edit caught by a
// filter). Any other state counts nothing. Call it in the transaction that changes the post, once
// the post was seen in another state there.
func (s *Store) CountPostModerated(ctx context.Context, groupID string, state model.PostState) error {
	counter, ok := moderatedPostCounters[state]
	if !ok {
		return nil
	}
	return s.countGroupEvent(ctx, counter, groupID)
}

// countReportReceived counts a report just filed: for its group, when it has one, and for its
// organisation.
func (s *Store) countReportReceived(ctx context.Context, report model.Report) error {
	if report.GroupID != nil {
		if err := s.countGroupEvent(ctx, countReportsReceived, *report.GroupID); err != nil {
			return err
		}
	}
	return s.countEvent(ctx, organisationRollup, countReportsReceived, report.OrganisationID)
}

// countReportDecided counts report id moved into status today, for its group (none when its group
// is gone) and its organisation, both read from the report in the statements. Reopening counts
// nothing; resolving the report again later counts again: it is a second decision.
func (s *Store) countReportDecided(ctx context.Context, id string, status model.ReportStatus) error {
	var counter groupCounter
	switch status {
	case model.ReportResolved:
		counter = countReportsResolved
	case model.ReportDismissed:
		counter = countReportsDismissed
	default:
		return nil
	}
	day := StatsDay(s.now())
	if err := s.addToDay(ctx, groupRollup, counter, "group_id, CAST(? AS TEXT), 1",
		"FROM reports WHERE id = ? AND group_id IS NOT NULL", day, id); err != nil {
		return err
	}
	return s.addToDay(ctx, organisationRollup, counter, "organisation_id, CAST(? AS TEXT), 1", "FROM reports WHERE id = ?", day, id)
}

// CountSupportOpened counts a support conversation of the group opened today: a new one, or a
// closed one opened again (by the member writing in it, or by staff), so that opened and closed
// over a period tell whether the inbox grew. Call it where the conversation was seen new or closed.
func (s *Store) CountSupportOpened(ctx context.Context, groupID string) error {
	return s.countGroupEvent(ctx, countSupportOpened, groupID)
}

// CountSupportClosed counts a support conversation of the group closed today. Call it where the
// conversation was seen not closed.
func (s *Store) CountSupportClosed(ctx context.Context, groupID string) error {
	return s.countGroupEvent(ctx, countSupportClosed, groupID)
}

// CountFirstSupportReply counts staff's reply at at in a conversation of the group as its first
// reply, with the time since the member's first message, unless the conversation has a reply
// already. Call it in the reply's transaction, with the conversation locked, before the reply is
// stored.
func (s *Store) CountFirstSupportReply(ctx context.Context, groupID, conversationID string, at time.Time) error {
	var first model.SupportMessage
	err := s.conn(ctx).Where("conversation_id = ? AND kind = ?", conversationID, model.SupportFromMember).
		Where("NOT EXISTS (SELECT 1 FROM support_messages r WHERE r.conversation_id = ? AND r.kind = ?)", conversationID, model.SupportReply).
		Order("created_at, id").Take(&first).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil // answered before (or, oddly, nothing of hers to answer)
	}
	if err != nil {
		return fmt.Errorf("find the first message of support conversation %s: %w", conversationID, err)
	}
	seconds := max(int64(at.Sub(first.CreatedAt)/time.Second), 0)
	err = s.conn(ctx).Exec(`INSERT INTO group_daily_stats (group_id, day, support_first_replies, support_first_reply_seconds)
		SELECT CAST(? AS TEXT), CAST(? AS TEXT), 1, CAST(? AS BIGINT) WHERE 1 = 1
		ON CONFLICT (group_id, day) DO UPDATE SET `+addExcluded("group_daily_stats", "support_first_replies", "support_first_reply_seconds"),
		groupID, StatsDay(at), seconds).Error
	if err != nil {
		return fmt.Errorf("count the first reply of support conversation %s: %w", conversationID, err)
	}
	return nil
}

// OrganisationDay is an organisation's report figures of one UTC day, every group's and those of
// reports whose group is gone.
type OrganisationDay struct {
	Day              string
	ReportsReceived  int64
	ReportsResolved  int64
	ReportsDismissed int64
}

// OrganisationReportDays returns an organisation's figures for the days from through through (both
// 'YYYY-MM-DD', inclusive), keyed by day; a day nothing happened on is absent. One indexed range read.
func (s *Store) OrganisationReportDays(ctx context.Context, organisationID, from, through string) (map[string]OrganisationDay, error) {
	rows, err := daysOf[OrganisationDay](ctx, s, organisationRollup, organisationID, "day, reports_received, reports_resolved, reports_dismissed", from, through)
	if err != nil {
		return nil, err
	}
	days := make(map[string]OrganisationDay, len(rows))
	for _, row := range rows {
		days[row.Day] = row
	}
	return days, nil
}

// daysOf reads columns of one group's or organisation's (id's) rows of a rollup for the days from
// through through, in no order, the waiting deltas folded first.
func daysOf[T any](ctx context.Context, s *Store, of rollup, id, columns, from, through string) ([]T, error) {
	if err := s.foldDailyCounts(ctx, of); err != nil {
		return nil, err
	}
	var rows []T
	err := scan(s.conn(ctx).Table(of.table).Select(columns).
		Where(of.key+" = ? AND day >= ? AND day <= ?", id, from, through), &rows)
	if err != nil {
		return nil, fmt.Errorf("read %s of %s from %s to %s: %w", of.table, id, from, through, err)
	}
	return rows, nil
}
