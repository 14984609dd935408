package community

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// MaxSupportText bounds a staff reply or note: a message read in an app's notification, not a letter.
const MaxSupportText = 5000

// Reply answers a support conversation as the group: a direct message to the member, in reply to her
// latest message so her app threads it, queued in the same transaction that records it. The
// conversation then waits for her.
func (s *Service) Reply(ctx context.Context, conversationID, staffID, text string) error {
	text, err := checkSupportText("reply", text)
	if err != nil {
		return err
	}
	return s.store.Transaction(ctx, func(tx *store.Store) error {
		conversation, group, member, err := s.lockConversation(ctx, tx, conversationID)
		if err != nil {
			return err
		}
		answered, err := tx.LatestMemberMessage(ctx, conversation.ID)
		if err != nil {
			return err
		}
		message := s.replies.NewMessage(group)
		message.ContentHTML = addressedTo(member, textinput.TextToHTML(text))
		if answered.ObjectIRI != nil {
			message.InReplyTo = *answered.ObjectIRI
		}
		if err := s.replies.SendDirect(ctx, tx, group, member, message); err != nil {
			return fmt.Errorf("send the reply to %s: %w", member.IRI, err)
		}
		replied := s.now()
		if err := tx.CountFirstSupportReply(ctx, group.ID, conversation.ID, replied); err != nil {
			return err
		}
		if _, _, err := tx.AddSupportMessage(ctx, model.SupportMessage{ConversationID: conversation.ID, GroupID: group.ID,
			Kind: model.SupportReply, ObjectIRI: &message.ObjectIRI, ActivityIRI: &message.ActivityIRI,
			InReplyToIRI: message.InReplyTo, ContentHTML: message.ContentHTML, StaffAccountID: &staffID, CreatedAt: replied}); err != nil {
			return err
		}
		waiting, at := model.SupportWaiting, replied
		if err := countSupportStatusChange(ctx, tx, conversation, waiting); err != nil {
			return err
		}
		change := store.SupportChange{Status: &waiting, LastMessageAt: &at}
		if conversation.AssigneeStaffID == nil { // whoever answers first has it
			assignee := &staffID
			change.AssigneeStaffID = &assignee
		}
		if err := tx.UpdateSupportConversation(ctx, conversation.ID, change); err != nil {
			return err
		}
		return tx.RecordMemberDecision(ctx, group, &staffID, model.ActionSupportReply, "", member,
			map[string]any{"conversation": conversation.ID, "activity": message.ActivityIRI})
	})
}

// AddNote adds an internal note to a conversation: staff only, never federated.
func (s *Service) AddNote(ctx context.Context, conversationID, staffID, text string) error {
	text, err := checkSupportText("note", text)
	if err != nil {
		return err
	}
	return s.store.Transaction(ctx, func(tx *store.Store) error {
		conversation, group, _, err := s.lockConversation(ctx, tx, conversationID)
		if err != nil {
			return err
		}
		_, _, err = tx.AddSupportMessage(ctx, model.SupportMessage{ConversationID: conversation.ID, GroupID: group.ID,
			Kind: model.SupportNote, ContentHTML: textinput.TextToHTML(text), StaffAccountID: &staffID, CreatedAt: s.now()})
		return err
	})
}

// SetSupportStatus moves a conversation to status.
func (s *Service) SetSupportStatus(ctx context.Context, conversationID string, status model.SupportStatus) error {
	if !slices.Contains(model.SupportStatuses(), status) {
		return apperror.Invalid("status", "%q is not a status of a conversation", status)
	}
	return s.store.Transaction(ctx, func(tx *store.Store) error {
		conversation, _, _, err := s.lockConversation(ctx, tx, conversationID)
		if err != nil || conversation.Status == status {
			return err
		}
		if err := countSupportStatusChange(ctx, tx, conversation, status); err != nil {
			return err
		}
		return tx.UpdateSupportConversation(ctx, conversation.ID, store.SupportChange{Status: &status})
	})
}

// AssignSupport gives a conversation to a staff member who may moderate its group, or to nobody
// (assigneeID nil).
func (s *Service) AssignSupport(ctx context.Context, conversationID string, assigneeID *string) error {
	return s.store.Transaction(ctx, func(tx *store.Store) error {
		conversation, group, _, err := s.lockConversation(ctx, tx, conversationID)
		if err != nil {
			return err
		}
		if assigneeID != nil {
			staff, err := tx.StaffWhoModerate(ctx, group)
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(staff, func(a model.StaffAccount) bool { return a.ID == *assigneeID }) {
				return apperror.Invalid("assignee", "only staff who moderate %s can be given its conversations", group.Name)
			}
		}
		return tx.UpdateSupportConversation(ctx, conversation.ID, store.SupportChange{AssigneeStaffID: &assigneeID})
	})
}

// TurnIntoReport files a report about the conversation's member, with staff's reason and what she
// wrote, and links it to the conversation, in one transaction: a second attempt (a double click, two
// staff at once) returns the report filed first instead of filing another.
func (s *Service) TurnIntoReport(ctx context.Context, conversationID, staffID, reason string) (string, error) {
	if s.reporter == nil {
		return "", errors.New("turn a conversation into a report: no reports service wired")
	}
	var reportID string
	err := s.store.Transaction(ctx, func(tx *store.Store) error {
		conversation, group, member, err := s.lockConversation(ctx, tx, conversationID)
		if err != nil {
			return err
		}
		if conversation.ReportID != nil {
			reportID = *conversation.ReportID
			return nil
		}
		messages, err := tx.SupportMessages(ctx, conversation.ID)
		if err != nil {
			return err
		}
		report, err := s.reporter.FileAboutAccount(ctx, tx, group, staffID, member.IRI, reportNote(reason, messages))
		if err != nil {
			return err
		}
		reportID = report.ID
		if err := tx.UpdateSupportConversation(ctx, conversation.ID, store.SupportChange{ReportID: &reportID}); err != nil {
			return err
		}
		return tx.RecordMemberDecision(ctx, group, &staffID, model.ActionSupportReport, reason, member,
			map[string]any{"conversation": conversation.ID, "report": reportID})
	})
	return reportID, err
}

// reportNoteLength is what a report's note may hold (the reports service's limit on reasons).
const reportNoteLength = 2000

// reportNote is staff's reason followed by what the member wrote (withdrawn messages stay
// withdrawn), cut to what a report holds.
func reportNote(reason string, messages []store.SupportMessageWithAuthor) string {
	var b strings.Builder
	if reason = strings.TrimSpace(reason); reason != "" {
		b.WriteString(reason + "\n\n")
	}
	b.WriteString("From a support conversation; the member wrote:")
	for _, m := range messages {
		if m.Kind == model.SupportFromMember && m.WithdrawnAt == nil {
			b.WriteString("\n> " + textinput.PlainText(m.ContentHTML))
		}
	}
	return textinput.Excerpt(b.String(), reportNoteLength-1)
}

// lockConversation locks a conversation and loads its group and member.
func (s *Service) lockConversation(ctx context.Context, tx *store.Store, id string) (model.SupportConversation, model.Group, model.RemoteActor, error) {
	conversation, err := tx.LockSupportConversation(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return conversation, model.Group{}, model.RemoteActor{}, apperror.NotFound("conversation: no support conversation %s", id)
	}
	if err != nil {
		return conversation, model.Group{}, model.RemoteActor{}, err
	}
	group, err := tx.GroupByID(ctx, conversation.GroupID)
	if err != nil {
		return conversation, group, model.RemoteActor{}, err
	}
	member, err := tx.RemoteActorByID(ctx, conversation.RemoteActorID)
	return conversation, group, member, err
}

// checkSupportText trims a reply or note (a browser's CRLF line ends as LF) and checks it is there
// and not too long.
func checkSupportText(field, text string) (string, error) {
	text, err := textinput.Text(field, strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n")), MaxSupportText)
	if err == nil && text == "" {
		err = apperror.Invalid(field, "write the %s first", field)
	}
	return text, err
}
