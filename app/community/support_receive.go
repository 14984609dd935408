package community

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// DirectMessage is a member's message to a group that is not public: the object of a Create
// addressed to the group and no one public (read by federation).
type DirectMessage struct {
	ActivityIRI string
	ObjectIRI   string
	ContentHTML string // as sent: sanitised before it is stored
	InReplyTo   string
	PublishedAt time.Time
}

// SupportOutcome is what became of a direct message in one group's support inbox.
type SupportOutcome string

const (
	// SupportOpened: the message opened a new conversation.
	SupportOpened SupportOutcome = "opened"
	// SupportContinued: the message joined one of her conversations.
	SupportContinued SupportOutcome = "continued"
	// SupportKnown: the group had the message already (a redelivery); nothing changed.
	SupportKnown SupportOutcome = "known"
	// SupportRefused: not stored (Reason says why).
	SupportRefused SupportOutcome = "refused"
)

// SupportResult is the outcome of a direct message in one group.
type SupportResult struct {
	GroupID        string
	Outcome        SupportOutcome
	ConversationID string
	Reason         string
	// heldUntil is when the limit lifts for her, when this message found her over it: the inboxes
	// are told once the transaction has ended (HeldBack).
	heldUntil time.Time
}

// MaxSupportMessagesPerHour bounds how many messages one account may send one group's support
// inbox in an hour: enough for any real conversation, too few to bury the inbox.
const MaxSupportMessagesPerHour = 20

// MaxSupportConversationsPerServerPerHour bounds how many conversations the accounts of one server
// may open in one group's support inbox in an hour: a busy server's members asking at once stay well
// under it, a server making accounts to flood the inbox does not.
const MaxSupportConversationsPerServerPerHour = 30

// subjectLength is how much of a first message names its conversation in lists.
const subjectLength = 120

// ReceiveDirect takes a member's direct message into the support inbox of each group it is
// addressed to. It is never announced: only staff who moderate the group see it. A message that
// answers one of the conversation's messages continues that conversation; any other continues her
// latest conversation that is not closed, or opens a new one. A banned account, an account of a
// suspended domain, an archived group and an account over the hourly limit are refused. Each group
// takes the message in a transaction of its own, with the limit counted in it after the group's
// support inbox is locked for her server (store.SupportInboxLock).
func (s *Service) ReceiveDirect(ctx context.Context, author model.RemoteActor, message DirectMessage, groups []model.Group) ([]SupportResult, error) {
	results := make([]SupportResult, 0, len(groups))
	for _, group := range groups {
		if s.overLimit.holds(group.ID, author.ID, s.now()) {
			results = append(results, SupportResult{GroupID: group.ID, Outcome: SupportRefused, Reason: overLimitReason(author)})
			continue
		}
		var result SupportResult
		locks := []store.AdvisoryLock{store.SupportInboxLock(group.ID, author.Host)}
		err := s.store.TransactionHolding(ctx, locks, func(tx *store.Store) error {
			var err error
			result, err = s.receiveIn(ctx, tx, author, message, group)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("direct message %s to group %s: %w", message.ObjectIRI, group.Slug, err)
		}
		if s.heldBack != nil && !result.heldUntil.IsZero() {
			// After the transaction, not in it: its lock is not held while Redis answers.
			s.heldBack.HoldBack(ctx, group.ID, author.IRI, result.heldUntil)
		}
		results = append(results, result)
	}
	return results, nil
}

func (s *Service) receiveIn(ctx context.Context, tx *store.Store, author model.RemoteActor, message DirectMessage, group model.Group) (SupportResult, error) {
	result := SupportResult{GroupID: group.ID}
	standing, err := tx.SupportStandingOf(ctx, group, author, message.ObjectIRI, s.now().Add(-time.Hour), MaxSupportMessagesPerHour)
	if err != nil {
		return result, err
	}
	if standing.KnownIn != "" {
		result.Outcome, result.ConversationID = SupportKnown, standing.KnownIn
		return result, nil
	}
	if standing.SentSince >= MaxSupportMessagesPerHour {
		if result.heldUntil, err = s.rememberOverLimit(ctx, tx, group, author); err != nil {
			return result, err
		}
	}
	if reason := refusesDirect(author, group, standing); reason != "" {
		result.Outcome, result.Reason = SupportRefused, reason
		return result, nil
	}
	at := s.now()
	content := textinput.SanitizeHTML(message.ContentHTML)
	conversation, opened, reason, err := s.conversationFor(ctx, tx, author, message, group, standing, content, at)
	if err != nil || reason != "" {
		result.Outcome, result.Reason = SupportRefused, reason
		return result, err
	}
	objectIRI, activityIRI := message.ObjectIRI, message.ActivityIRI
	hers := model.SupportMessage{ConversationID: conversation.ID, GroupID: group.ID,
		Kind: model.SupportFromMember, ObjectIRI: &objectIRI, ActivityIRI: &activityIRI, InReplyToIRI: message.InReplyTo,
		ContentHTML: content, CreatedAt: at}
	result.ConversationID = conversation.ID
	if opened {
		if _, _, err := tx.AddSupportMessage(ctx, hers); err != nil {
			return result, err
		}
		result.Outcome = SupportOpened
		if s.notifier != nil {
			if err := s.notifier.SupportConversationOpened(ctx, tx, group.ID, conversation.ID); err != nil {
				return result, err
			}
		}
		return result, nil
	}
	result.Outcome = SupportContinued
	var reopened *model.SupportStatus
	if conversation.Status != model.SupportNew {
		open := model.SupportOpen // her word again: the next one is staff's
		reopened = &open
		if err := countSupportStatusChange(ctx, tx, conversation, open); err != nil {
			return result, err
		}
	}
	return result, tx.ContinueSupportConversation(ctx, hers, reopened)
}

// refusesDirect says why the group's support inbox does not take author's message now, or "".
func refusesDirect(author model.RemoteActor, group model.Group, standing store.SupportStanding) string {
	switch {
	case group.ArchivedAt != nil:
		return "group archived"
	case standing.Banned:
		return "author banned from the group"
	case standing.Suspended:
		return "author's domain suspended"
	case standing.SentSince >= MaxSupportMessagesPerHour:
		return overLimitReason(author)
	}
	return ""
}

func overLimitReason(author model.RemoteActor) string {
	return fmt.Sprintf("rate limit: %s sent the group the %d messages an hour allows", author.IRI, MaxSupportMessagesPerHour)
}

// rememberOverLimit notes until when the member stays over the hourly limit, so that her messages
// before then are refused without a transaction (limitMemory), and returns that time (zero when the
// limit has lifted already). Read once, when a locked read first finds her at the limit.
func (s *Service) rememberOverLimit(ctx context.Context, tx *store.Store, group model.Group, author model.RemoteActor) (time.Time, error) {
	now := s.now()
	until, err := tx.SupportLimitHoldsUntil(ctx, group.ID, author.ID, MaxSupportMessagesPerHour, now.Add(-time.Hour), time.Hour)
	if err != nil || !until.After(now) {
		return time.Time{}, err
	}
	s.overLimit.remember(group.ID, author.ID, until)
	return until, nil
}

// conversationFor finds the conversation message belongs to, or opens one (opened true) unless her
// server's accounts opened too many in the group this hour (reason says so). Her latest
// conversation, when it continues that, comes with its id, group, member and status only.
func (s *Service) conversationFor(ctx context.Context, tx *store.Store, author model.RemoteActor, message DirectMessage, group model.Group,
	standing store.SupportStanding, content string, at time.Time) (conversation model.SupportConversation, opened bool, reason string, err error) {
	if message.InReplyTo != "" {
		answered, err := tx.SupportMessageByObject(ctx, group.ID, message.InReplyTo)
		switch {
		case err == nil:
			conversation, err := tx.SupportConversationByID(ctx, answered.ConversationID)
			if err != nil || conversation.RemoteActorID == author.ID {
				return conversation, false, "", err
			}
			// Someone else's conversation: hers starts apart, whatever her message answers.
		case !errors.Is(err, store.ErrNotFound):
			return conversation, false, "", err
		}
	}
	if standing.LatestID != "" {
		// What continuing it needs: its id, and its status for the inbox's counts.
		return model.SupportConversation{ID: standing.LatestID, GroupID: group.ID, RemoteActorID: author.ID, Status: standing.LatestStatus},
			false, "", nil
	}
	fromServer, err := tx.CountSupportConversationsFromHostSince(ctx, group.ID, author.Host, at.Add(-time.Hour))
	if err != nil {
		return conversation, false, "", err
	}
	if fromServer >= MaxSupportConversationsPerServerPerHour {
		return conversation, false, fmt.Sprintf("rate limit: accounts of %s opened %d conversations with the group in an hour", author.Host, fromServer), nil
	}
	conversation, err = tx.CreateSupportConversation(ctx, model.SupportConversation{GroupID: group.ID, RemoteActorID: author.ID,
		Status: model.SupportNew, Subject: subjectOf(content), LastMessageAt: at})
	if err != nil {
		return conversation, true, "", err
	}
	if err := tx.CountSupportOpened(ctx, group.ID); err != nil {
		return conversation, true, "", err
	}
	return conversation, true, "", tx.CountSupportConversationOpened(ctx, group.ID, author.ID, conversation.CreatedAt)
}

// subjectOf names a conversation by the start of its first message, without the mention of the
// group that leads a direct message written in Mastodon.
func subjectOf(content string) string {
	words := strings.Fields(textinput.PlainText(content))
	for len(words) > 0 && strings.HasPrefix(words[0], "@") {
		words = words[1:]
	}
	subject := textinput.Excerpt(strings.Join(words, " "), subjectLength)
	if subject == "" {
		return "(no text)"
	}
	return subject
}
