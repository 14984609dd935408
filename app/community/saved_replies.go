package community

import (
	"context"
	"errors"
	"strings"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// MaxSavedReplies bounds an organisation's saved replies: a list one picks from, not an archive.
const MaxSavedReplies = 200

// SavedReplyPlaceholders are what a saved reply may hold, filled in for the member answered.
var SavedReplyPlaceholders = []string{"{name}", "{group}"}

// SavedReplies lists an organisation's saved replies by title.
func (s *Service) SavedReplies(ctx context.Context, organisationID string) ([]model.SavedReply, error) {
	return s.store.SavedReplies(ctx, organisationID)
}

// SaveReply creates (reply.ID empty) or changes one of an organisation's saved replies.
func (s *Service) SaveReply(ctx context.Context, reply model.SavedReply) (model.SavedReply, error) {
	title, err := textinput.Name("title", reply.Title, true)
	if err != nil {
		return reply, err
	}
	body, err := checkSupportText("text", reply.Body)
	if err != nil {
		return reply, err
	}
	reply.Title, reply.Body = title, body
	err = s.store.Transaction(ctx, func(tx *store.Store) error {
		if reply.ID == "" {
			n, err := tx.CountSavedReplies(ctx, reply.OrganisationID)
			if err != nil {
				return err
			}
			if n >= MaxSavedReplies {
				return apperror.Invalid("title", "an organisation keeps at most %d saved replies: delete one first", MaxSavedReplies)
			}
		}
		reply, err = tx.SaveReply(ctx, reply)
		return err
	})
	switch {
	case errors.Is(err, store.ErrDuplicate):
		return reply, apperror.Conflict("title", "a saved reply is called %q already", title)
	case errors.Is(err, store.ErrNotFound):
		return reply, apperror.NotFound("saved reply: no saved reply %s", reply.ID)
	}
	return reply, err
}

// DeleteSavedReply deletes one of an organisation's saved replies.
func (s *Service) DeleteSavedReply(ctx context.Context, organisationID, id string) error {
	err := s.store.DeleteSavedReply(ctx, organisationID, id)
	if errors.Is(err, store.ErrNotFound) {
		return apperror.NotFound("saved reply: no saved reply %s", id)
	}
	return err
}

// SavedReplyFor is a saved reply of the conversation's organisation, its placeholders filled in for
// the conversation's member and group: the text a reply form starts from.
func (s *Service) SavedReplyFor(ctx context.Context, c Conversation, id string) (string, error) {
	reply, err := s.store.SavedReplyByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && reply.OrganisationID != c.Group.OrganisationID) {
		return "", apperror.NotFound("saved reply: no saved reply %s", id)
	}
	if err != nil {
		return "", err
	}
	return strings.NewReplacer("{name}", c.Member.Name(), "{group}", c.Group.Name).Replace(reply.Body), nil
}
