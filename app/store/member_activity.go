package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kring-social/kring/app/model"
)

// activityEvent is what one event adds to a member's row in member_activity.
type activityEvent struct {
	groupID, actorID string
	// groupOfPost, when set, names the post whose group the event belongs to (a like): the group
	// is read in the same statement.
	groupOfPost                    string
	at                             time.Time
	active                         bool // the event is her taking part: it moves last_active_at
	posts, replies, likes, support int64
	welcomed, introduced           bool
}

// memberActivityUpsert adds an event to a member's row, creating the row on her first event: one
// statement, run with the transaction's other increments (commit_tail.go). First seen keeps the earliest
// time, last active the latest; welcomed and introduced keep the first time.
const memberActivityUpsert = `INSERT INTO member_activity (group_id, actor_id, first_seen_at, last_active_at, posts, replies,
		likes_given, support_conversations, welcomed_at, introduced_at)
	VALUES (%s, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (group_id, actor_id) DO UPDATE SET
		first_seen_at = CASE WHEN excluded.first_seen_at < member_activity.first_seen_at
			THEN excluded.first_seen_at ELSE member_activity.first_seen_at END,
		last_active_at = CASE WHEN member_activity.last_active_at IS NULL OR excluded.last_active_at > member_activity.last_active_at
			THEN COALESCE(excluded.last_active_at, member_activity.last_active_at) ELSE member_activity.last_active_at END,
		posts = member_activity.posts + excluded.posts,
		replies = member_activity.replies + excluded.replies,
		likes_given = member_activity.likes_given + excluded.likes_given,
		support_conversations = member_activity.support_conversations + excluded.support_conversations,
		welcomed_at = COALESCE(member_activity.welcomed_at, excluded.welcomed_at),
		introduced_at = COALESCE(member_activity.introduced_at, excluded.introduced_at)`

// recordActivity writes one event into member_activity.
func (s *Store) recordActivity(ctx context.Context, e activityEvent) error {
	at := dbTime(e.at)
	if e.at.IsZero() {
		at = s.now()
	}
	var lastActive, welcomed, introduced *time.Time
	if e.active {
		lastActive = &at
	}
	if e.welcomed {
		welcomed = &at
	}
	if e.introduced {
		introduced = &at
	}
	group, groupArg := "?", e.groupID
	if e.groupOfPost != "" {
		group, groupArg = "(SELECT group_id FROM posts WHERE id = ?)", e.groupOfPost
	}
	// A constant added to her row: it waits for the end of the transaction (commit_tail.go).
	err := s.execLast(ctx, "member_activity", fmt.Sprintf(memberActivityUpsert, group), groupArg, e.actorID, at, lastActive,
		e.posts, e.replies, e.likes, e.support, welcomed, introduced)
	if err != nil {
		return fmt.Errorf("record activity of %s in group %s%s: %w", e.actorID, e.groupID, e.groupOfPost, err)
	}
	return nil
}

// CountSupportConversationOpened counts a support conversation the member opened with the group
// at at (and makes her active then). Call it in the transaction that opens the conversation (the
// store the caller's Transaction hands it), once per conversation.
func (s *Store) CountSupportConversationOpened(ctx context.Context, groupID, actorID string, at time.Time) error {
	return s.recordActivity(ctx, activityEvent{groupID: groupID, actorID: actorID, at: at, active: true, support: 1})
}

// MarkMemberIntroduced records that the member introduced herself to the group (or was
// introduced) at at; a later call keeps the first time. Call it in the transaction that records the
// introduction.
func (s *Store) MarkMemberIntroduced(ctx context.Context, groupID, actorID string, at time.Time) error {
	return s.recordActivity(ctx, activityEvent{groupID: groupID, actorID: actorID, at: at, introduced: true})
}

// MemberActivityOf loads a member's figures in a group; ErrNotFound when nothing of hers was
// ever seen there.
func (s *Store) MemberActivityOf(ctx context.Context, groupID, actorID string) (model.MemberActivity, error) {
	var row model.MemberActivity
	err := s.conn(ctx).Where("group_id = ? AND actor_id = ?", groupID, actorID).Take(&row).Error
	if err != nil {
		return row, fmt.Errorf("find activity of %s in group %s: %w", actorID, groupID, classify(err))
	}
	return row, nil
}

// AttentionList names one of the lists of members who need attention.
type AttentionList string

const (
	// Newcomers are members first seen since the query's Since, the newest first.
	Newcomers AttentionList = "new"
	// GoneQuiet are members who follow the group, took part before, and not since the query's
	// Since: the ones who went quiet most recently first.
	GoneQuiet AttentionList = "quiet"
	// MostActive are members by their posts, replies and likes given in the group since they were
	// first seen (overall), the most first.
	MostActive AttentionList = "active"
)

// AttentionQuery selects one page of one attention list of a group.
type AttentionQuery struct {
	GroupID string
	List    AttentionList
	Since   time.Time // Newcomers: first seen since; GoneQuiet: nothing since
	// After is the actor id of the last row of the previous page; empty for the first page.
	After string
	Limit int
}

// AttentionMember is a row of an attention list: her figures, her actor and her follow's state
// ("" when she does not follow the group).
type AttentionMember struct {
	model.MemberActivity
	FollowState string
	Actor       model.RemoteActor `gorm:"embedded;embeddedPrefix:actor_"`
}

// AttentionPage is a page of an attention list and the cursor of the next page (empty on the last).
type AttentionPage struct {
	Members []AttentionMember
	Next    string
}

// attentionOrder is each list's keyset: the column it is ordered on (descending, then the actor
// id), served by one of member_activity's indexes.
var attentionOrder = map[AttentionList]string{
	Newcomers: "first_seen_at", GoneQuiet: "last_active_at", MostActive: "activity",
}

// AttentionMembers returns one page of an attention list. Pages are keyed on the list's column and
// the actor id, the cursor's values read in SQL, so deep pages cost what the first does and
// compare exactly as stored on either engine.
func (s *Store) AttentionMembers(ctx context.Context, q AttentionQuery) (AttentionPage, error) {
	column, ok := attentionOrder[q.List]
	if !ok {
		return AttentionPage{}, fmt.Errorf("no attention list %q", q.List)
	}
	if q.Limit <= 0 {
		q.Limit = 50
	}
	query := s.conn(ctx).Table("member_activity AS m").
		Select(`m.*, COALESCE(follows.state, '') AS follow_state,
			remote_actors.id AS actor_id, remote_actors.iri AS actor_iri, remote_actors.host AS actor_host,
			remote_actors.preferred_username AS actor_preferred_username, remote_actors.display_name AS actor_display_name,
			remote_actors.url AS actor_url, remote_actors.gone_at AS actor_gone_at`).
		Joins("JOIN remote_actors ON remote_actors.id = m.actor_id").
		Joins("LEFT JOIN follows ON follows.group_id = m.group_id AND follows.remote_actor_id = m.actor_id").
		Where("m.group_id = ?", q.GroupID)
	switch q.List {
	case Newcomers:
		query = query.Where("m.first_seen_at >= ?", dbTime(q.Since))
	case GoneQuiet:
		query = query.Where("m.last_active_at < ? AND follows.state = ?", dbTime(q.Since), model.FollowAccepted)
	case MostActive:
		query = query.Where("m.activity > 0")
	}
	if q.After != "" {
		cursor := "(SELECT " + column + " FROM member_activity WHERE group_id = ? AND actor_id = ?)"
		query = query.Where("(m."+column+" < "+cursor+" OR (m."+column+" = "+cursor+" AND m.actor_id < ?))",
			q.GroupID, q.After, q.GroupID, q.After, q.After)
	}
	var rows []AttentionMember
	if err := scan(query.Order("m."+column+" DESC, m.actor_id DESC").Limit(q.Limit+1), &rows); err != nil {
		return AttentionPage{}, fmt.Errorf("list %s members of group %s: %w", q.List, q.GroupID, err)
	}
	page := AttentionPage{Members: rows}
	if len(rows) > q.Limit {
		page.Members = rows[:q.Limit]
		page.Next = rows[q.Limit-1].ActorID
	}
	return page, nil
}
