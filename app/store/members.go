package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/kring-social/kring/app/model"
)

// MemberBanned is the state listed for banned actors, next to the follow states.
const MemberBanned = "banned"

// Member is one row of a group's member list: a follow (in any state) or a ban, with the actor and
// how many of their posts are visible in the group.
type Member struct {
	Cursor string // the follow's or the ban's id: pages continue from it
	State  string // a model.FollowState, or MemberBanned
	Since  time.Time
	Posts  int64
	Reason string            // why they were banned
	Actor  model.RemoteActor `gorm:"embedded;embeddedPrefix:actor_"`
}

// MemberQuery selects one page of a group's members in one state, newest first.
type MemberQuery struct {
	GroupID string
	State   string // a model.FollowState or MemberBanned
	// Before is the Cursor of the last row of the previous page; empty for the first page.
	Before string
	Limit  int
}

// MemberPage is a page of members and the cursor of the next page (empty on the last).
type MemberPage struct {
	Members []Member
	Next    string
}

// ListMembers returns one page of a group's members. Pages are keyed on the row ids (UUIDv7, in
// creation order), so a page stays right while follows come and go, and deep pages cost no more
// than the first.
func (s *Store) ListMembers(ctx context.Context, q MemberQuery) (MemberPage, error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	query := s.membersOf(ctx, q.State).Where("m.group_id = ?", q.GroupID)
	if q.Before != "" {
		query = query.Where("m.id < ?", q.Before)
	}
	var rows []Member
	if err := scan(query.Order("m.id DESC").Limit(q.Limit+1), &rows); err != nil {
		return MemberPage{}, fmt.Errorf("list %s members of group %s: %w", q.State, q.GroupID, err)
	}
	page := MemberPage{Members: rows}
	if len(rows) > q.Limit {
		page.Members = rows[:q.Limit]
		page.Next = rows[q.Limit-1].Cursor
	}
	return page, nil
}

// membersOf selects follows in state, or bans, as Member rows (table alias m).
func (s *Store) membersOf(ctx context.Context, state string) *gorm.DB {
	actor := `remote_actors.id AS actor_id, remote_actors.iri AS actor_iri, remote_actors.host AS actor_host,
		remote_actors.preferred_username AS actor_preferred_username, remote_actors.display_name AS actor_display_name,
		remote_actors.url AS actor_url, remote_actors.inbox_url AS actor_inbox_url, remote_actors.gone_at AS actor_gone_at,
		(SELECT COUNT(*) FROM posts WHERE posts.group_id = m.group_id AND posts.author_actor_id = m.remote_actor_id
			AND posts.state = 'visible') AS posts`
	if state == MemberBanned {
		return s.conn(ctx).Table("group_bans AS m").
			Select("m.id AS cursor, 'banned' AS state, m.created_at AS since, m.reason AS reason, " + actor).
			Joins("JOIN remote_actors ON remote_actors.id = m.remote_actor_id")
	}
	return s.conn(ctx).Table("follows AS m").
		Select("m.id AS cursor, m.state AS state, m.created_at AS since, '' AS reason, "+actor).
		Joins("JOIN remote_actors ON remote_actors.id = m.remote_actor_id").
		Where("m.state = ?", state)
}

// CountGroupBans counts the actors banned from a group.
func (s *Store) CountGroupBans(ctx context.Context, groupID string) (int64, error) {
	var n int64
	if err := s.conn(ctx).Model(&model.GroupBan{}).Where("group_id = ?", groupID).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count bans of group %s: %w", groupID, err)
	}
	return n, nil
}
