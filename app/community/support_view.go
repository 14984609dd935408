package community

import (
	"context"
	"errors"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// Conversation is a support conversation with what staff need at hand to answer it.
type Conversation struct {
	model.SupportConversation
	Group    model.Group
	Member   model.RemoteActor
	Messages []store.SupportMessageWithAuthor
	Assignee *model.StaffAccount
	// Staff are who may be given the conversation: the staff who moderate its group.
	Staff []model.StaffAccount
	// History is the member's standing with the group.
	History MemberHistory
}

// MemberHistory is a member's story with one group, as staff answering her see it.
type MemberHistory struct {
	Follow        *model.Follow // nil: she never followed
	Banned        bool
	Posts         int64
	Conversations []model.SupportConversation // her others with the group, newest first
	Log           []model.ModerationAction    // what staff did about her in the group, newest first
}

// memberLogEntries is how much of the moderation log the conversation page shows.
const memberLogEntries = 10

// Conversation loads a support conversation with its messages and the member's history.
func (s *Service) Conversation(ctx context.Context, id string) (Conversation, error) {
	var c Conversation
	var err error
	c.SupportConversation, err = s.store.SupportConversationByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return c, apperror.NotFound("conversation: no support conversation %s", id)
	}
	if err != nil {
		return c, err
	}
	if c.Group, err = s.store.GroupByID(ctx, c.GroupID); err != nil {
		return c, err
	}
	if c.Member, err = s.store.RemoteActorByID(ctx, c.RemoteActorID); err != nil {
		return c, err
	}
	if c.Messages, err = s.store.SupportMessages(ctx, c.ID); err != nil {
		return c, err
	}
	if c.Staff, err = s.store.StaffWhoModerate(ctx, c.Group); err != nil {
		return c, err
	}
	if c.AssigneeStaffID != nil {
		assignee, err := s.store.StaffAccountByID(ctx, *c.AssigneeStaffID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return c, err
		}
		if err == nil {
			c.Assignee = &assignee
		}
	}
	c.History, err = s.memberHistory(ctx, c.Group, c.Member, c.ID)
	return c, err
}

func (s *Service) memberHistory(ctx context.Context, group model.Group, member model.RemoteActor, current string) (MemberHistory, error) {
	var h MemberHistory
	follow, err := s.store.FollowOf(ctx, group.ID, member.ID)
	switch {
	case err == nil:
		h.Follow = &follow
	case !errors.Is(err, store.ErrNotFound):
		return h, err
	}
	if h.Banned, err = s.store.IsBanned(ctx, group.ID, member.ID); err != nil {
		return h, err
	}
	if h.Posts, err = s.store.CountPostsOfMember(ctx, group.ID, member.ID); err != nil {
		return h, err
	}
	conversations, err := s.store.SupportConversationsOfMember(ctx, group.ID, member.ID)
	if err != nil {
		return h, err
	}
	for _, c := range conversations {
		if c.ID != current {
			h.Conversations = append(h.Conversations, c)
		}
	}
	h.Log, err = s.store.ModerationLog(ctx, store.ModerationLogFilter{GroupID: group.ID, TargetID: member.IRI, Limit: memberLogEntries})
	return h, err
}

// WithdrawDirect empties the member's messages that are the Note iri in every support inbox: she
// deleted it. It returns how many messages there were.
func (s *Service) WithdrawDirect(ctx context.Context, member model.RemoteActor, iri string) (int64, error) {
	return s.store.WithdrawSupportMessages(ctx, member.ID, iri)
}

// EditDirect replaces the content of the member's messages that are the Note iri: she edited it.
func (s *Service) EditDirect(ctx context.Context, member model.RemoteActor, iri, contentHTML string, at time.Time) (int64, error) {
	if at.IsZero() {
		at = s.now()
	}
	return s.store.EditSupportMessages(ctx, member.ID, iri, textinput.SanitizeHTML(contentHTML), at)
}
