package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kring-social/kring/app/model"
)

// FollowWithActor is a follow together with the remote actor who follows.
type FollowWithActor struct {
	model.Follow
	Actor model.RemoteActor `gorm:"embedded;embeddedPrefix:actor_"`
}

// SaveFollow records a follow of a group by a remote actor, or updates the one there is: a repeated
// Follow carries a new activity id, which later Accepts and Rejects must echo.
func (s *Store) SaveFollow(ctx context.Context, follow model.Follow) (saved model.Follow, err error) {
	if !s.InTransaction() {
		err = s.Transaction(ctx, func(tx *Store) error {
			saved, err = tx.SaveFollow(ctx, follow)
			return err
		})
		return saved, err
	}
	now := s.now()
	follow.ID = model.NewID()
	follow.CreatedAt, follow.UpdatedAt = now, now
	if follow.State == model.FollowAccepted {
		if err := s.countJoinUnlessMember(ctx, follow.GroupID, follow.RemoteActorID); err != nil {
			return model.Follow{}, err
		}
	}
	err = s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "group_id"}, {Name: "remote_actor_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"follow_activity_iri", "state", "updated_at"}),
	}).Create(&follow).Error
	if err != nil {
		return model.Follow{}, fmt.Errorf("save follow of group %s: %w", follow.GroupID, classify(err))
	}
	if err := s.recordActivity(ctx, activityEvent{groupID: follow.GroupID, actorID: follow.RemoteActorID, at: now}); err != nil {
		return model.Follow{}, err
	}
	return s.FollowOf(ctx, follow.GroupID, follow.RemoteActorID)
}

// RecordFollowAnswer records a follow like SaveFollow, unless the same actor's follow of the group is
// already in the same state and changed less than quiet ago: then nothing is written and answered is
// false, so the caller sends no second answer. One statement decides, so concurrent repeats of one
// Follow cannot all pass.
func (s *Store) RecordFollowAnswer(ctx context.Context, follow model.Follow, quiet time.Duration) (stored model.Follow, answered bool, err error) {
	if !s.InTransaction() {
		err = s.Transaction(ctx, func(tx *Store) error {
			stored, answered, err = tx.RecordFollowAnswer(ctx, follow, quiet)
			return err
		})
		return stored, answered, err
	}
	now := s.now()
	follow.ID = model.NewID()
	follow.CreatedAt, follow.UpdatedAt = now, now
	// Counted before the follow is written, while its earlier state still tells a new member from a
	// repeated Follow (which the quiet rule may or may not let through).
	if follow.State == model.FollowAccepted {
		if err := s.countJoinUnlessMember(ctx, follow.GroupID, follow.RemoteActorID); err != nil {
			return model.Follow{}, false, err
		}
	}
	result := s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "group_id"}, {Name: "remote_actor_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"follow_activity_iri", "state", "updated_at"}),
		Where: clause.Where{Exprs: []clause.Expression{clause.Expr{
			SQL: "follows.state <> excluded.state OR follows.updated_at < ?", Vars: []any{now.Add(-quiet)}}}},
	}).Create(&follow)
	if result.Error != nil {
		return model.Follow{}, false, fmt.Errorf("record follow of group %s: %w", follow.GroupID, classify(result.Error))
	}
	if result.RowsAffected > 0 {
		// Her first follow is when the group first saw her; a repeated one changes nothing there.
		if err := s.recordActivity(ctx, activityEvent{groupID: follow.GroupID, actorID: follow.RemoteActorID, at: now}); err != nil {
			return model.Follow{}, false, err
		}
	}
	stored, err = s.FollowOf(ctx, follow.GroupID, follow.RemoteActorID)
	return stored, result.RowsAffected > 0, err
}

// FollowOf loads the follow of a group by a remote actor.
func (s *Store) FollowOf(ctx context.Context, groupID, remoteActorID string) (model.Follow, error) {
	var follow model.Follow
	err := s.conn(ctx).Where("group_id = ? AND remote_actor_id = ?", groupID, remoteActorID).Take(&follow).Error
	if err != nil {
		return model.Follow{}, fmt.Errorf("find follow of group %s: %w", groupID, classify(err))
	}
	return follow, nil
}

// SetFollowState moves a follow to state; a follow approved becomes a join of the day, in the same
// transaction.
func (s *Store) SetFollowState(ctx context.Context, followID string, state model.FollowState) error {
	if !s.InTransaction() {
		return s.Transaction(ctx, func(tx *Store) error { return tx.SetFollowState(ctx, followID, state) })
	}
	if state == model.FollowAccepted {
		if err := s.countJoinOfPendingFollow(ctx, followID); err != nil {
			return err
		}
	}
	err := s.conn(ctx).Model(&model.Follow{}).Where("id = ?", followID).
		Updates(map[string]any{"state": state, "updated_at": s.now()}).Error
	if err != nil {
		return fmt.Errorf("set follow %s to %s: %w", followID, state, err)
	}
	return nil
}

// DeleteFollow removes a remote actor's follow of a group; false when there was none. A member's
// follow removed is a leave of the day, counted in the same transaction.
func (s *Store) DeleteFollow(ctx context.Context, groupID, remoteActorID string) (deleted bool, err error) {
	if !s.InTransaction() {
		err = s.Transaction(ctx, func(tx *Store) error {
			deleted, err = tx.DeleteFollow(ctx, groupID, remoteActorID)
			return err
		})
		return deleted, err
	}
	if err := s.countLeaveOfMember(ctx, groupID, remoteActorID); err != nil {
		return false, err
	}
	result := s.conn(ctx).Where("group_id = ? AND remote_actor_id = ?", groupID, remoteActorID).Delete(&model.Follow{})
	if result.Error != nil {
		return false, fmt.Errorf("delete follow of group %s: %w", groupID, result.Error)
	}
	return result.RowsAffected > 0, nil
}

// DeleteFollowsOfActor removes every follow of a remote actor, as when its account is deleted; each
// group she was a member of counts a leave of the day, in the same transaction.
func (s *Store) DeleteFollowsOfActor(ctx context.Context, remoteActorID string) (deleted int64, err error) {
	if !s.InTransaction() {
		err = s.Transaction(ctx, func(tx *Store) error {
			deleted, err = tx.DeleteFollowsOfActor(ctx, remoteActorID)
			return err
		})
		return deleted, err
	}
	if err := s.countLeavesOfActor(ctx, remoteActorID); err != nil {
		return 0, err
	}
	result := s.conn(ctx).Where("remote_actor_id = ?", remoteActorID).Delete(&model.Follow{})
	if result.Error != nil {
		return 0, fmt.Errorf("delete follows of actor %s: %w", remoteActorID, result.Error)
	}
	return result.RowsAffected, nil
}

// FollowsOfGroup lists a group's follows in state (all states when empty) with their actors, oldest
// first.
func (s *Store) FollowsOfGroup(ctx context.Context, groupID string, state model.FollowState) ([]FollowWithActor, error) {
	query := s.followsWithActors(ctx).Where("follows.group_id = ?", groupID)
	if state != "" {
		query = query.Where("follows.state = ?", state)
	}
	var rows []FollowWithActor
	if err := scan(query.Order("follows.created_at, follows.id"), &rows); err != nil {
		return nil, fmt.Errorf("list follows of group %s: %w", groupID, err)
	}
	return rows, nil
}

// FollowOfActorIRI finds a group's follow by the follower's actor id.
func (s *Store) FollowOfActorIRI(ctx context.Context, groupID, actorIRI string) (FollowWithActor, error) {
	var rows []FollowWithActor
	err := scan(s.followsWithActors(ctx).Where("follows.group_id = ? AND remote_actors.iri = ?", groupID, actorIRI).
		Limit(1), &rows)
	if err != nil {
		return FollowWithActor{}, fmt.Errorf("find follow of group %s by %s: %w", groupID, actorIRI, err)
	}
	if len(rows) == 0 {
		return FollowWithActor{}, fmt.Errorf("find follow of group %s by %s: %w", groupID, actorIRI, ErrNotFound)
	}
	return rows[0], nil
}

func (s *Store) followsWithActors(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("follows").
		Select(`follows.*, remote_actors.id AS actor_id, remote_actors.iri AS actor_iri,
			remote_actors.host AS actor_host, remote_actors.actor_type AS actor_actor_type,
			remote_actors.preferred_username AS actor_preferred_username,
			remote_actors.display_name AS actor_display_name, remote_actors.inbox_url AS actor_inbox_url,
			remote_actors.shared_inbox_url AS actor_shared_inbox_url, remote_actors.url AS actor_url,
			remote_actors.gone_at AS actor_gone_at`).
		Joins("JOIN remote_actors ON remote_actors.id = follows.remote_actor_id")
}

// banInForce is the condition on group_bans "a ban of the actor from the group in force at the
// time": (group id, actor id, now). A ban past its expiry no longer counts.
const banInForce = "group_id = ? AND remote_actor_id = ? AND (expires_at IS NULL OR expires_at > ?)"

// IsBanned reports whether a remote actor is banned from a group (a ban past its expiry no longer
// counts).
func (s *Store) IsBanned(ctx context.Context, groupID, remoteActorID string) (bool, error) {
	var count int64
	err := s.conn(ctx).Model(&model.GroupBan{}).
		Where(banInForce, groupID, remoteActorID, s.now()).
		Count(&count).Error
	if err != nil {
		return false, fmt.Errorf("check ban in group %s: %w", groupID, err)
	}
	return count > 0, nil
}

// FollowsByActivityIRI finds the follows a remote actor made with the Follow whose id is iri.
func (s *Store) FollowsByActivityIRI(ctx context.Context, iri, remoteActorID string) ([]model.Follow, error) {
	var follows []model.Follow
	err := s.conn(ctx).Where("follow_activity_iri = ? AND remote_actor_id = ?", iri, remoteActorID).Find(&follows).Error
	if err != nil {
		return nil, fmt.Errorf("find follows made by %s: %w", iri, err)
	}
	return follows, nil
}

// CountFollowers counts a group's accepted followers.
func (s *Store) CountFollowers(ctx context.Context, groupID string) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&model.Follow{}).Where("group_id = ? AND state = ?", groupID, model.FollowAccepted).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count followers of group %s: %w", groupID, err)
	}
	return n, nil
}

// FollowerPage is one page of a group's followers: their actor ids, oldest follow first, and the
// cursor of the next page (empty on the last).
type FollowerPage struct {
	ActorIRIs []string
	Next      string
}

// FollowersAfter returns up to limit accepted followers whose follow id sorts after cursor.
func (s *Store) FollowersAfter(ctx context.Context, groupID, cursor string, limit int) (FollowerPage, error) {
	var rows []struct {
		ID  string
		IRI string
	}
	err := scan(s.conn(ctx).Table("follows").Select("follows.id AS id, remote_actors.iri AS iri").
		Joins("JOIN remote_actors ON remote_actors.id = follows.remote_actor_id").
		Where("follows.group_id = ? AND follows.state = ? AND follows.id > ?", groupID, model.FollowAccepted, cursor).
		Order("follows.id").Limit(limit+1), &rows)
	if err != nil {
		return FollowerPage{}, fmt.Errorf("page followers of group %s: %w", groupID, err)
	}
	var page FollowerPage
	for i, r := range rows {
		if i == limit {
			page.Next = rows[limit-1].ID
			break
		}
		page.ActorIRIs = append(page.ActorIRIs, r.IRI)
	}
	return page, nil
}

// CountFollowsInState counts a group's follows in one state (pending requests, for the dashboard).
func (s *Store) CountFollowsInState(ctx context.Context, groupID string, state model.FollowState) (int64, error) {
	var n int64
	if err := s.conn(ctx).Model(&model.Follow{}).Where("group_id = ? AND state = ?", groupID, state).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count %s follows of group %s: %w", state, groupID, err)
	}
	return n, nil
}
