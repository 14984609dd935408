package store

import (
	"context"
	"fmt"
)

// GroupDay is a group's figures of one UTC day. Engagement (likes, boosts, replies) is the sum of
// its posts' rows of the day.
type GroupDay struct {
	Day                 string
	Joins               int64
	Leaves              int64
	PostsShared         int64
	GroupPosts          int64
	DeliveriesAttempted int64
	DeliveriesSucceeded int64
	DeliveriesFailed    int64
	Likes               int64
	Boosts              int64
	Replies             int64
	// Community health (migration 24).
	PostsHeld                int64
	PostsDeclined            int64
	PostsRemoved             int64
	ReportsReceived          int64
	ReportsResolved          int64
	ReportsDismissed         int64
	SupportOpened            int64
	SupportClosed            int64
	SupportFirstReplies      int64
	SupportFirstReplySeconds int64
	Mentions                 int64 // of the group by non-members, kept (migration 23)
}

// GroupDays returns a group's figures for the days from through through (both 'YYYY-MM-DD',
// inclusive), keyed by day; a day nothing happened on is absent. Two indexed range reads over the
// rollups, however long the group's history.
func (s *Store) GroupDays(ctx context.Context, groupID, from, through string) (map[string]GroupDay, error) {
	groupRows, err := daysOf[GroupDay](ctx, s, groupRollup, groupID,
		`day, joins, leaves, posts_shared, group_posts, deliveries_attempted, deliveries_succeeded, deliveries_failed,
			posts_held, posts_declined, posts_removed, reports_received, reports_resolved, reports_dismissed,
			support_opened, support_closed, support_first_replies, support_first_reply_seconds, mentions`, from, through)
	if err != nil {
		return nil, err
	}
	var engagement []GroupDay
	err = scan(s.conn(ctx).Table("post_daily_stats").
		Select("day, SUM(likes) AS likes, SUM(boosts) AS boosts, SUM(replies) AS replies").
		Where("group_id = ? AND day >= ? AND day <= ?", groupID, from, through).Group("day"), &engagement)
	if err != nil {
		return nil, fmt.Errorf("read engagement of group %s from %s to %s: %w", groupID, from, through, err)
	}
	days := make(map[string]GroupDay, len(groupRows))
	for _, row := range groupRows {
		days[row.Day] = row
	}
	for _, e := range engagement {
		day := days[e.Day]
		day.Day, day.Likes, day.Boosts, day.Replies = e.Day, e.Likes, e.Boosts, e.Replies
		days[e.Day] = day
	}
	return days, nil
}

// PostEngagement is what one post of a group drew over a period.
type PostEngagement struct {
	PostID      string
	GroupID     string
	ObjectIRI   string
	ContentHTML string
	Likes       int64
	Boosts      int64
	Replies     int64
	Engagement  int64 // likes + boosts + replies
}

// TopPosts returns the group's posts that drew the most likes, boosts and replies together over the
// days from through through, at most limit, the most first (ties: the newer post id first).
func (s *Store) TopPosts(ctx context.Context, groupID, from, through string, limit int) ([]PostEngagement, error) {
	return s.rankPosts(ctx, OfGroup(groupID), from, through, limit)
}

// rankPosts is TopPosts for the posts of scope: one group's, or every group's of an organisation. The rollups are summed
// and ranked first, and only the few posts kept are joined to their text: grouping on the text of
// every post of a busy period would cost more than all the rest of the page.
func (s *Store) rankPosts(ctx context.Context, scope StatsScope, from, through string, limit int) ([]PostEngagement, error) {
	var rows []PostEngagement
	err := scan(s.conn(ctx).Raw(`SELECT r.post_id, r.group_id, posts.object_iri, posts.content_html, r.likes, r.boosts, r.replies, r.engagement
		FROM (SELECT d.post_id, d.group_id, SUM(d.likes) AS likes, SUM(d.boosts) AS boosts, SUM(d.replies) AS replies,
				SUM(d.likes + d.boosts + d.replies) AS engagement
			FROM post_daily_stats AS d WHERE `+scope.condition+` AND d.day >= ? AND d.day <= ?
			GROUP BY d.post_id, d.group_id ORDER BY engagement DESC, d.post_id DESC LIMIT ?) AS r
		JOIN posts ON posts.id = r.post_id
		ORDER BY r.engagement DESC, r.post_id DESC`, scope.arg, from, through, limit), &rows)
	if err != nil {
		return nil, fmt.Errorf("rank posts of %s from %s to %s: %w", scope, from, through, err)
	}
	return rows, nil
}
