package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kring-social/kring/app/model"
)

// CreateAdminSession stores a new login.
func (s *Store) CreateAdminSession(ctx context.Context, session model.AdminSession) (model.AdminSession, error) {
	now := s.now()
	session.CreatedAt, session.LastSeenAt = now, now
	session.ExpiresAt = dbTime(session.ExpiresAt)
	if err := s.conn(ctx).Create(&session).Error; err != nil {
		return model.AdminSession{}, fmt.Errorf("create admin session: %w", classify(err))
	}
	return session, nil
}

// AdminSessionByID loads a session live at at (not expired by then); ErrNotFound otherwise. The
// caller gives the time: the sessions service decides every other part of a session's life by its
// own clock, and one clock must decide them all.
func (s *Store) AdminSessionByID(ctx context.Context, id string, at time.Time) (model.AdminSession, error) {
	var session model.AdminSession
	err := s.conn(ctx).Where("id = ? AND expires_at > ?", id, at).Take(&session).Error
	if err != nil {
		return model.AdminSession{}, fmt.Errorf("find admin session: %w", classify(err))
	}
	return session, nil
}

// TouchAdminSession records activity on a session and moves its expiry.
func (s *Store) TouchAdminSession(ctx context.Context, id string, expires time.Time) error {
	err := s.conn(ctx).Model(&model.AdminSession{}).Where("id = ?", id).
		Updates(map[string]any{"last_seen_at": s.now(), "expires_at": dbTime(expires)}).Error
	if err != nil {
		return fmt.Errorf("touch admin session: %w", err)
	}
	return nil
}

// DeleteAdminSession ends one session.
func (s *Store) DeleteAdminSession(ctx context.Context, id string) error {
	if err := s.conn(ctx).Where("id = ?", id).Delete(&model.AdminSession{}).Error; err != nil {
		return fmt.Errorf("delete admin session: %w", err)
	}
	return nil
}

// DeleteAdminSessionsOf ends every session of an account but keep (which may be empty).
func (s *Store) DeleteAdminSessionsOf(ctx context.Context, accountID, keep string) error {
	err := s.conn(ctx).Where("staff_account_id = ? AND id <> ?", accountID, keep).Delete(&model.AdminSession{}).Error
	if err != nil {
		return fmt.Errorf("delete admin sessions of %s: %w", accountID, err)
	}
	return nil
}

// PruneAdminLogins deletes expired sessions and failures older than before.
func (s *Store) PruneAdminLogins(ctx context.Context, before time.Time) error {
	if err := s.conn(ctx).Where("expires_at < ?", s.now()).Delete(&model.AdminSession{}).Error; err != nil {
		return fmt.Errorf("prune admin sessions: %w", err)
	}
	if err := s.conn(ctx).Where("created_at < ?", dbTime(before)).Delete(&model.LoginFailure{}).Error; err != nil {
		return fmt.Errorf("prune login failures: %w", err)
	}
	return nil
}

// GroupsModeratedBy lists the ids of the groups a staff account is assigned to moderate.
func (s *Store) GroupsModeratedBy(ctx context.Context, accountID string) ([]string, error) {
	var ids []string
	err := s.conn(ctx).Model(&model.GroupModerator{}).Where("staff_account_id = ?", accountID).Pluck("group_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("list groups moderated by %s: %w", accountID, err)
	}
	return ids, nil
}

// AssignGroupModerator makes a staff account a moderator of a group (idempotent).
func (s *Store) AssignGroupModerator(ctx context.Context, groupID, accountID string) error {
	var n int64
	if err := s.conn(ctx).Model(&model.GroupModerator{}).Where("group_id = ? AND staff_account_id = ?", groupID, accountID).Count(&n).Error; err != nil {
		return fmt.Errorf("find group moderator: %w", err)
	}
	if n > 0 {
		return nil
	}
	row := model.GroupModerator{ID: model.NewID(), GroupID: groupID, StaffAccountID: accountID, CreatedAt: s.now()}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("assign group moderator: %w", classify(err))
	}
	return nil
}
