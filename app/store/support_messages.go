package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kring-social/kring/app/model"
)

// AddSupportMessage appends a message to its conversation, giving it an id (and its time, unless
// set). A member's message a group has already (a redelivery) is not added again: it reports false.
func (s *Store) AddSupportMessage(ctx context.Context, m model.SupportMessage) (model.SupportMessage, bool, error) {
	m.ID = model.NewID()
	if m.CreatedAt.IsZero() {
		m.CreatedAt = s.now()
	}
	m.CreatedAt = dbTime(m.CreatedAt)
	result := s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "group_id"}, {Name: "object_iri"}}, DoNothing: true}).
		Create(&m)
	if result.Error != nil {
		return m, false, fmt.Errorf("add a message to support conversation %s: %w", m.ConversationID, classify(result.Error))
	}
	return m, result.RowsAffected == 1, nil
}

// ContinueSupportConversation adds a member's message to her conversation, as AddSupportMessage
// does, and moves the conversation's last message time to the message's; reopened, when set, is
// the status the conversation takes again (never closed: her word reopens it). On PostgreSQL the two
// writes are one statement, so continuing a conversation, what most direct messages do, costs one
// round trip; inside a transaction it is the transaction's final write (execFinal), which runs at its
// end and carries its COMMIT. Nothing in the transaction may read the message after this call.
func (s *Store) ContinueSupportConversation(ctx context.Context, m model.SupportMessage, reopened *model.SupportStatus) error {
	if reopened != nil && *reopened == model.SupportClosed {
		return fmt.Errorf("continue support conversation %s: a member's message does not close it", m.ConversationID)
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = s.now()
	}
	m.CreatedAt = dbTime(m.CreatedAt)
	if s.dialect != Postgres {
		if _, _, err := s.AddSupportMessage(ctx, m); err != nil {
			return err
		}
		return s.UpdateSupportConversation(ctx, m.ConversationID, SupportChange{LastMessageAt: &m.CreatedAt, Status: reopened})
	}
	var status *string
	if reopened != nil {
		status = (*string)(reopened)
	}
	found := func(rowsAffected int64) error {
		if rowsAffected == 0 {
			return fmt.Errorf("support conversation %s: %w", m.ConversationID, ErrNotFound)
		}
		return nil
	}
	return s.execFinal(ctx, "continue support conversation "+m.ConversationID, found, `WITH message AS (
			INSERT INTO support_messages (id, conversation_id, group_id, kind, object_iri, activity_iri, in_reply_to_iri,
				content_html, staff_account_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (group_id, object_iri) DO NOTHING)
		UPDATE support_conversations SET last_message_at = ?, updated_at = ?,
			status = COALESCE(CAST(? AS TEXT), status),
			closed_at = CASE WHEN CAST(? AS TEXT) IS NULL THEN closed_at END
		WHERE id = ?`,
		model.NewID(), m.ConversationID, m.GroupID, m.Kind, m.ObjectIRI, m.ActivityIRI, m.InReplyToIRI, m.ContentHTML, m.StaffAccountID, m.CreatedAt,
		m.CreatedAt, s.now(), status, status, m.ConversationID)
}

// SupportMessageByObject finds the message of a group's support inbox that is the Note iri: hers or
// one of the group's replies.
func (s *Store) SupportMessageByObject(ctx context.Context, groupID, iri string) (model.SupportMessage, error) {
	var m model.SupportMessage
	err := s.conn(ctx).Where("group_id = ? AND object_iri = ?", groupID, iri).Take(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return m, fmt.Errorf("support message %s in group %s: %w", iri, groupID, ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("find support message %s in group %s: %w", iri, groupID, err)
	}
	return m, nil
}

// SupportMessageWithAuthor is a message with the name of the staff member who wrote it, if any.
type SupportMessageWithAuthor struct {
	model.SupportMessage
	AuthorEmail       string
	AuthorDisplayName string
}

// SupportMessages lists a conversation's messages, oldest first.
func (s *Store) SupportMessages(ctx context.Context, conversationID string) ([]SupportMessageWithAuthor, error) {
	var rows []SupportMessageWithAuthor
	err := scan(s.conn(ctx).Table("support_messages").
		Select("support_messages.*, staff_accounts.email AS author_email, staff_accounts.display_name AS author_display_name").
		Joins("LEFT JOIN staff_accounts ON staff_accounts.id = support_messages.staff_account_id").
		Where("support_messages.conversation_id = ?", conversationID).
		Order("support_messages.created_at, support_messages.id"), &rows)
	if err != nil {
		return nil, fmt.Errorf("list messages of support conversation %s: %w", conversationID, err)
	}
	return rows, nil
}

// LatestMemberMessage is the member's newest message in a conversation: staff's reply answers it.
func (s *Store) LatestMemberMessage(ctx context.Context, conversationID string) (model.SupportMessage, error) {
	var m model.SupportMessage
	err := s.conn(ctx).Where("conversation_id = ? AND kind = ?", conversationID, model.SupportFromMember).
		Order("created_at DESC, id DESC").Take(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return m, fmt.Errorf("member message of support conversation %s: %w", conversationID, ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("find the member's message in support conversation %s: %w", conversationID, err)
	}
	return m, nil
}

// membersMessages selects a member's own messages that are the Note iri, in every group's inbox.
func (s *Store) membersMessages(ctx context.Context, remoteActorID, iri string) *gorm.DB {
	return s.conn(ctx).Model(&model.SupportMessage{}).
		Where("object_iri = ? AND kind = ? AND withdrawn_at IS NULL", iri, model.SupportFromMember).
		Where("conversation_id IN (?)", s.conn(ctx).Model(&model.SupportConversation{}).Select("id").Where("remote_actor_id = ?", remoteActorID))
}

// WithdrawSupportMessages empties the member's messages that are the Note iri (she deleted it: her
// words are hers to withdraw) and returns how many there were. Staff's replies and notes stay.
func (s *Store) WithdrawSupportMessages(ctx context.Context, remoteActorID, iri string) (int64, error) {
	result := s.membersMessages(ctx, remoteActorID, iri).Updates(map[string]any{"content_html": "", "withdrawn_at": s.now()})
	if result.Error != nil {
		return 0, fmt.Errorf("withdraw support message %s: %w", iri, result.Error)
	}
	return result.RowsAffected, nil
}

// EditSupportMessages replaces the content of the member's messages that are the Note iri (she
// edited it) and returns how many there were; a withdrawn message stays withdrawn.
func (s *Store) EditSupportMessages(ctx context.Context, remoteActorID, iri, contentHTML string, at time.Time) (int64, error) {
	result := s.membersMessages(ctx, remoteActorID, iri).Updates(map[string]any{"content_html": contentHTML, "edited_at": dbTime(at)})
	if result.Error != nil {
		return 0, fmt.Errorf("edit support message %s: %w", iri, result.Error)
	}
	return result.RowsAffected, nil
}
