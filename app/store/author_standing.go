package store

import (
	"context"
	"fmt"

	"github.com/kring-social/kring/app/model"
)

// AuthorStanding is where a remote actor stands with a group when she posts to it.
type AuthorStanding struct {
	Banned bool // a ban in force
	Member bool // her follow of the group is accepted
}

// AuthorStandingIn reads, in one round trip, whether a remote actor is banned from a group (a ban
// past its expiry no longer counts) and whether she is its member. Posting asks both of every
// post: whether she may post, and whether her post is a member's or an outsider's mention.
func (s *Store) AuthorStandingIn(ctx context.Context, groupID, remoteActorID string) (AuthorStanding, error) {
	var row struct{ Bans, Follows int64 }
	err := s.conn(ctx).Raw(`SELECT
		(SELECT COUNT(*) FROM group_bans WHERE `+banInForce+`) AS bans,
		(SELECT COUNT(*) FROM follows WHERE group_id = ? AND remote_actor_id = ? AND state = ?) AS follows`,
		groupID, remoteActorID, s.now(), groupID, remoteActorID, model.FollowAccepted).Scan(&row).Error
	if err != nil {
		return AuthorStanding{}, fmt.Errorf("read standing of %s in group %s: %w", remoteActorID, groupID, err)
	}
	return AuthorStanding{Banned: row.Bans > 0, Member: row.Follows > 0}, nil
}
