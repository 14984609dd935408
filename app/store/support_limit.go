package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kring-social/kring/app/model"
)

// memberMessagesSince are a member's messages to a group's support inbox since a time
// (memberMessagesSinceArgs): what the hourly limit counts (SupportStandingOf) and what tells when it
// lifts (SupportLimitHoldsUntil), which must be the same messages.
const memberMessagesSince = `FROM support_messages
	JOIN support_conversations ON support_conversations.id = support_messages.conversation_id
	WHERE support_conversations.group_id = ? AND support_conversations.remote_actor_id = ?
		AND support_messages.kind = ? AND support_messages.created_at >= ?`

func memberMessagesSinceArgs(groupID, actorID string, since time.Time) []any {
	return []any{groupID, actorID, model.SupportFromMember, dbTime(since)}
}

// SupportLimitHoldsUntil is when a member who has sent a group's support inbox at least limit
// messages since since falls back under the limit by herself: when the limit-th newest of those
// messages is window old. Zero when she has sent fewer. Messages are only added, so until then her
// count stays at or past the limit whatever else happens; the caller reads this in the transaction
// holding her SupportInboxLock, after the standing that found her at the limit.
func (s *Store) SupportLimitHoldsUntil(ctx context.Context, groupID, actorID string, limit int, since time.Time, window time.Duration) (time.Time, error) {
	var oldestCounted []struct{ CreatedAt time.Time }
	err := s.conn(ctx).Raw(`SELECT support_messages.created_at `+memberMessagesSince+`
			ORDER BY support_messages.created_at DESC LIMIT 1 OFFSET ?`,
		append(memberMessagesSinceArgs(groupID, actorID, since), limit-1)...).Scan(&oldestCounted).Error
	if err != nil {
		return time.Time{}, fmt.Errorf("read when %s's support messages to group %s fall under the limit: %w", actorID, groupID, err)
	}
	if len(oldestCounted) == 0 {
		return time.Time{}, nil
	}
	return oldestCounted[0].CreatedAt.Add(window), nil
}
