package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kring-social/kring/app/model"
)

// The daily rollups (group_daily_stats, post_daily_stats) are kept as events arrive: each event adds
// to its group's or post's row of the day with one INSERT … ON CONFLICT DO UPDATE, run in the
// event's own transaction, so a figure moves exactly when the event is committed and the analytics
// pages never recount the raw rows. Each statement reads what it needs (the post's group, the
// follow's state, the delivery's group) in the same round trip.

// StatsDayLayout is how a rollup day is written: the UTC date, which sorts and compares as text
// the same on both engines.
const StatsDayLayout = "2006-01-02"

// StatsDay is the rollup day an event at t counts in.
func StatsDay(t time.Time) string { return t.UTC().Format(StatsDayLayout) }

// groupCounter and postCounter name the columns an event adds to. They are constants, never input:
// they are written into the statement's text.
type (
	groupCounter string
	postCounter  string
)

const (
	countJoins       groupCounter = "joins"
	countLeaves      groupCounter = "leaves"
	countPostsShared groupCounter = "posts_shared"
	countGroupPosts  groupCounter = "group_posts"

	countDeliveriesAttempted groupCounter = "deliveries_attempted"
	countDeliveriesSucceeded groupCounter = "deliveries_succeeded"
	countDeliveriesFailed    groupCounter = "deliveries_failed"

	countLikes   postCounter = "likes"
	countBoosts  postCounter = "boosts"
	countReplies postCounter = "replies"
)

// addToGroupDay adds one to a group's counter for the day, for each row source yields. source is the
// rest of an INSERT … SELECT giving (group_id, day, 1): a FROM and a WHERE, or a bare WHERE that
// decides whether the event counts at all (SQLite needs a WHERE before ON CONFLICT to parse it).
func (s *Store) addToGroupDay(ctx context.Context, counter groupCounter, selectList, source string, args ...any) error {
	return s.addToDay(ctx, groupRollup, counter, selectList, source, args...)
}

// countGroupEvent adds one to a group's counter for the day of now. It adds a constant, so it goes
// in as a delta (daily_count_deltas.go): every event of the group would otherwise wait for that row.
func (s *Store) countGroupEvent(ctx context.Context, counter groupCounter, groupID string) error {
	return s.countEvent(ctx, groupRollup, counter, groupID)
}

// countJoinUnlessMember counts a join of the group today unless the actor's follow of it is accepted
// already (a repeated Follow is no new member). Call it before the follow is written as accepted.
func (s *Store) countJoinUnlessMember(ctx context.Context, groupID, actorID string) error {
	return s.addToGroupDay(ctx, countJoins, "CAST(? AS TEXT), CAST(? AS TEXT), 1",
		"WHERE NOT EXISTS (SELECT 1 FROM follows WHERE group_id = ? AND remote_actor_id = ? AND state = ?)",
		groupID, StatsDay(s.now()), groupID, actorID, model.FollowAccepted)
}

// countJoinOfPendingFollow counts a join today when the follow of id is not accepted yet. Call it
// before the follow is moved to accepted.
func (s *Store) countJoinOfPendingFollow(ctx context.Context, followID string) error {
	return s.addToGroupDay(ctx, countJoins, "group_id, CAST(? AS TEXT), 1", "FROM follows WHERE id = ? AND state <> ?",
		StatsDay(s.now()), followID, model.FollowAccepted)
}

// countLeaveOfMember counts a leave of the group today when the actor's follow of it is accepted
// (withdrawing a follow still awaiting approval is no leave). Call it before the follow is deleted.
func (s *Store) countLeaveOfMember(ctx context.Context, groupID, actorID string) error {
	return s.addToGroupDay(ctx, countLeaves, "group_id, CAST(? AS TEXT), 1",
		"FROM follows WHERE group_id = ? AND remote_actor_id = ? AND state = ?",
		StatsDay(s.now()), groupID, actorID, model.FollowAccepted)
}

// countLeavesOfActor counts a leave today of every group the actor is a member of. Call it before
// her follows are deleted.
func (s *Store) countLeavesOfActor(ctx context.Context, actorID string) error {
	return s.addToGroupDay(ctx, countLeaves, "group_id, CAST(? AS TEXT), 1",
		"FROM follows WHERE remote_actor_id = ? AND state = ?", StatsDay(s.now()), actorID, model.FollowAccepted)
}

// addToPostDay adds one to a post's counter for the day, for each post the WHERE clause (over posts)
// selects; the post's group is read in the same statement. It says how many posts it counted for.
func (s *Store) addToPostDay(ctx context.Context, counter postCounter, where string, args ...any) (int64, error) {
	res := s.conn(ctx).Exec(postDayIncrement(counter, where), append([]any{StatsDay(s.now())}, args...)...)
	if res.Error != nil {
		return 0, fmt.Errorf("count %s of the day: %w", counter, res.Error)
	}
	return res.RowsAffected, nil
}

// addToPostDayLast is addToPostDay run last in its transaction (commit_tail.go), for a caller that
// needs no count: a popular post's row of the day is every liker's and replier's. The WHERE clause
// must read only rows the transaction does not change after the call.
func (s *Store) addToPostDayLast(ctx context.Context, counter postCounter, where string, args ...any) error {
	if err := s.execLast(ctx, "post_daily_stats", postDayIncrement(counter, where), append([]any{StatsDay(s.now())}, args...)...); err != nil {
		return fmt.Errorf("count %s of the day: %w", counter, err)
	}
	return nil
}

func postDayIncrement(counter postCounter, where string) string {
	return fmt.Sprintf(`INSERT INTO post_daily_stats (post_id, day, group_id, %[1]s)
		SELECT id, CAST(? AS TEXT), group_id, 1 FROM posts WHERE %[2]s
		ON CONFLICT (post_id, day) DO UPDATE SET %[3]s`, counter, where, addExcluded("post_daily_stats", string(counter)))
}

// countPostPublished counts a post as it becomes visible (stored visible, or approved from the
// queue): the group's own post, a member's post the group shares, or a reply, which counts for the
// post it answers in the same group. A post held for review counts nothing until approved.
func (s *Store) countPostPublished(ctx context.Context, post model.Post) error {
	switch {
	case post.State != model.PostVisible:
		return nil
	case post.AuthorActorID == nil:
		return s.countGroupEvent(ctx, countGroupPosts, post.GroupID)
	case post.InReplyToIRI != "":
		return s.addToPostDayLast(ctx, countReplies, "group_id = ? AND object_iri = ?", post.GroupID, post.InReplyToIRI)
	}
	return s.countGroupEvent(ctx, countPostsShared, post.GroupID)
}

// CountApprovedPost counts a held post a moderator let through, now visible, as CreatePost counts
// a post visible at once; a post the group announced before (shared, then held again by an edit)
// was counted then. Call it in the approval's transaction.
func (s *Store) CountApprovedPost(ctx context.Context, post model.Post) error {
	if post.AnnounceActivityIRI != nil || post.ActivityAnnounceIRI != nil {
		return nil
	}
	return s.countPostPublished(ctx, post)
}

// CountBoost counts an Announce, by the actor of actorIRI, of the posts of object iri in Kring's
// groups (the group's own post or a member's post it shared); the post's author boosting her own
// post is not counted. The booster is named by IRI so that a stranger's boost costs no fetch of her
// actor. It returns how many posts it counted for: 0 when no group has the post.
func (s *Store) CountBoost(ctx context.Context, objectIRI, actorIRI string) (int64, error) {
	return s.addToPostDay(ctx, countBoosts,
		"object_iri = ? AND (author_actor_id IS NULL OR author_actor_id NOT IN (SELECT id FROM remote_actors WHERE iri = ?))",
		objectIRI, actorIRI)
}

// countDeliveriesSettled adds the attempts of deliveries ids to their groups' and their posts' figures
// of the day: each an attempt, and each a success when succeeded, a failure when failed. The
// deliveries' groups and posts are read in the same statement; the instance actor's deliveries
// belong to no group, and an activity about no post counts for its group only.
func (s *Store) countDeliveriesSettled(ctx context.Context, ids []string, succeeded, failed bool) error {
	var success, failure int
	counters := []string{"SELECT '" + string(countDeliveriesAttempted) + "' AS counter"}
	if succeeded {
		success = 1
		counters = append(counters, "SELECT '"+string(countDeliveriesSucceeded)+"'")
	}
	if failed {
		failure = 1
		counters = append(counters, "SELECT '"+string(countDeliveriesFailed)+"'")
	}
	// Every settle of a group's fan-out adds to the group's row of the day and to its post's, so they
	// go in as deltas (daily_count_deltas.go): the settles of one fan-out would otherwise take turns
	// at those two rows, each holding them until its commit reached the disk. A new row locks nothing;
	// it waits for the end of the transaction only to go with the settle's other increments in one
	// round trip (commit_tail.go). It reads only the deliveries' activities, which the settle does not
	// change.
	err := s.execLast(ctx, "daily_count_deltas", `INSERT INTO daily_count_deltas (id, rollup_table, row_key, day, counter, amount)
		SELECT `+s.newIDInSQL()+`, r.rollup_table,
			CASE WHEN r.rollup_table = '`+groupRollup.table+`' THEN o.group_id ELSE o.post_id END AS row_key,
			CAST(? AS TEXT), c.counter, COUNT(*)
		FROM deliveries d JOIN outbound_activities o ON o.id = d.outbound_activity_id
		CROSS JOIN (SELECT '`+groupRollup.table+`' AS rollup_table UNION ALL SELECT '`+postDeliveryRollup.table+`') AS r
		CROSS JOIN (`+strings.Join(counters, " UNION ALL ")+`) AS c
		WHERE d.id IN ? AND o.group_id IS NOT NULL AND (r.rollup_table = '`+groupRollup.table+`' OR o.post_id IS NOT NULL)
		GROUP BY r.rollup_table, row_key, c.counter`,
		StatsDay(s.now()), ids)
	if err != nil {
		return fmt.Errorf("count %d delivery attempts of the day: %w", len(ids), err)
	}
	return s.countServersReached(ctx, ids, success, failure)
}

// newIDInSQL is an expression for a new row id, evaluated for each row a statement writes.
func (s *Store) newIDInSQL() string {
	if s.dialect == Postgres {
		return "CAST(gen_random_uuid() AS TEXT)"
	}
	return "lower(hex(randomblob(16)))"
}

// addExcluded is an upsert's SET list adding the proposed row's columns to the stored row's: every
// counter of the rollups moves this way. table
// and columns are constants, never input: they are written into the statement's text.
func addExcluded(table string, columns ...string) string {
	sets := make([]string, len(columns))
	for i, column := range columns {
		sets[i] = fmt.Sprintf("%[2]s = %[1]s.%[2]s + excluded.%[2]s", table, column)
	}
	return strings.Join(sets, ", ")
}
