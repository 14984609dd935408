package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/kring-social/kring/app/model"
)

// SupportConversationByID loads one conversation.
func (s *Store) SupportConversationByID(ctx context.Context, id string) (model.SupportConversation, error) {
	var c model.SupportConversation
	err := s.conn(ctx).Where("id = ?", id).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return c, fmt.Errorf("support conversation %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("load support conversation %s: %w", id, err)
	}
	return c, nil
}

// CreateSupportConversation stores a new conversation, giving it an id and its times.
func (s *Store) CreateSupportConversation(ctx context.Context, c model.SupportConversation) (model.SupportConversation, error) {
	now := s.now()
	c.ID, c.CreatedAt, c.UpdatedAt = model.NewID(), now, now
	c.LastMessageAt = dbTime(c.LastMessageAt)
	if err := s.conn(deferWrite(ctx)).Create(&c).Error; err != nil {
		return c, fmt.Errorf("open a support conversation in group %s: %w", c.GroupID, classify(err))
	}
	return c, nil
}

// SupportChange is what changes of a conversation; nil fields stay as they are.
type SupportChange struct {
	Status          *model.SupportStatus
	AssigneeStaffID **string
	LastMessageAt   *time.Time
	ReportID        *string
}

// UpdateSupportConversation applies change to conversation id. A change of status to closed sets
// closed_at; any other status clears it.
func (s *Store) UpdateSupportConversation(ctx context.Context, id string, change SupportChange) error {
	now := s.now()
	columns := map[string]any{"updated_at": now}
	if change.Status != nil {
		columns["status"] = *change.Status
		if *change.Status == model.SupportClosed {
			columns["closed_at"] = now
		} else {
			columns["closed_at"] = nil
		}
	}
	if change.AssigneeStaffID != nil {
		columns["assignee_staff_id"] = *change.AssigneeStaffID
	}
	if change.LastMessageAt != nil {
		columns["last_message_at"] = dbTime(*change.LastMessageAt)
	}
	if change.ReportID != nil {
		columns["report_id"] = *change.ReportID
	}
	result := s.conn(ctx).Model(&model.SupportConversation{}).Where("id = ?", id).Updates(columns)
	if result.Error != nil {
		return fmt.Errorf("update support conversation %s: %w", id, classify(result.Error))
	}
	if result.RowsAffected == 0 {
		return fmt.Errorf("support conversation %s: %w", id, ErrNotFound)
	}
	return nil
}

// LockSupportConversation holds conversation id until the transaction ends, so two staff members
// acting on it at once (answering, turning it into a report) act one after the other, each seeing
// what the other did. SQLite's write transactions run one at a time already.
func (s *Store) LockSupportConversation(ctx context.Context, id string) (model.SupportConversation, error) {
	return lockRow[model.SupportConversation](ctx, s, "support conversation", id)
}

// SupportFilter selects a group's conversations, most recently active first.
type SupportFilter struct {
	GroupID  string
	Statuses []model.SupportStatus // empty: every status
	// AssigneeStaffID keeps those assigned to one staff member.
	AssigneeStaffID string
	// Before continues a list after the conversation with this id.
	Before string
	Limit  int // 0 means 50
}

// SupportListing is a conversation with what the inbox shows of it.
type SupportListing struct {
	model.SupportConversation
	MemberIRI         string
	MemberUsername    string
	MemberDisplayName string
	MemberHost        string
	AssigneeEmail     string
	AssigneeName      string
}

// SupportConversations lists the conversations filter selects, the most recently active first.
func (s *Store) SupportConversations(ctx context.Context, filter SupportFilter) ([]SupportListing, error) {
	query := s.conn(ctx).Table("support_conversations").
		Select(`support_conversations.*, remote_actors.iri AS member_iri, remote_actors.preferred_username AS member_username,
			remote_actors.display_name AS member_display_name, remote_actors.host AS member_host,
			staff_accounts.email AS assignee_email, staff_accounts.display_name AS assignee_name`).
		Joins("JOIN remote_actors ON remote_actors.id = support_conversations.remote_actor_id").
		Joins("LEFT JOIN staff_accounts ON staff_accounts.id = support_conversations.assignee_staff_id").
		Where("support_conversations.group_id = ?", filter.GroupID)
	if len(filter.Statuses) > 0 {
		query = query.Where("support_conversations.status IN ?", filter.Statuses)
	}
	if filter.AssigneeStaffID != "" {
		query = query.Where("support_conversations.assignee_staff_id = ?", filter.AssigneeStaffID)
	}
	if filter.Before != "" {
		after, err := s.SupportConversationByID(ctx, filter.Before)
		if err != nil {
			return nil, err
		}
		query = query.Where("(support_conversations.last_message_at < ? OR (support_conversations.last_message_at = ? AND support_conversations.id < ?))",
			dbTime(after.LastMessageAt), dbTime(after.LastMessageAt), after.ID)
	}
	limit := filter.Limit
	if limit <= 0 {
		limit = 50
	}
	var rows []SupportListing
	err := scan(query.Order("support_conversations.last_message_at DESC, support_conversations.id DESC").Limit(limit), &rows)
	if err != nil {
		return nil, fmt.Errorf("list support conversations of group %s: %w", filter.GroupID, err)
	}
	return rows, nil
}

// CountSupportConversations counts a group's conversations in each status.
func (s *Store) CountSupportConversations(ctx context.Context, groupID string) (map[model.SupportStatus]int64, error) {
	var rows []struct {
		Status model.SupportStatus
		N      int64
	}
	err := scan(s.conn(ctx).Model(&model.SupportConversation{}).Select("status, COUNT(*) AS n").
		Where("group_id = ?", groupID).Group("status"), &rows)
	if err != nil {
		return nil, fmt.Errorf("count support conversations of group %s: %w", groupID, err)
	}
	counts := map[model.SupportStatus]int64{}
	for _, r := range rows {
		counts[r.Status] = r.N
	}
	return counts, nil
}

// SupportConversationsOfMember lists a member's conversations with a group, newest first: her
// history at hand when staff answer her.
func (s *Store) SupportConversationsOfMember(ctx context.Context, groupID, remoteActorID string) ([]model.SupportConversation, error) {
	var rows []model.SupportConversation
	err := s.conn(ctx).Where("group_id = ? AND remote_actor_id = ?", groupID, remoteActorID).
		Order("last_message_at DESC, id DESC").Limit(50).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list support conversations of %s in group %s: %w", remoteActorID, groupID, err)
	}
	return rows, nil
}

// CountSupportConversationsFromHostSince counts the conversations accounts of host opened in a group
// since a time (support_conversations_group_created reads only that window of the group's).
func (s *Store) CountSupportConversationsFromHostSince(ctx context.Context, groupID, host string, since time.Time) (int64, error) {
	var n int64
	err := s.conn(ctx).Table("support_conversations").
		Joins("JOIN remote_actors ON remote_actors.id = support_conversations.remote_actor_id").
		Where("support_conversations.group_id = ? AND support_conversations.created_at >= ? AND remote_actors.host = ?",
			groupID, dbTime(since), host).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count support conversations from %s in group %s: %w", host, groupID, err)
	}
	return n, nil
}
