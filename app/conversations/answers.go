package conversations

import (
	"context"
	"errors"
	"strings"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// answeredAuthor is the author of the post a draft answers when Kring keeps that post as a mention
// of one of its groups; ok is false when the draft answers nothing Kring keeps. Her account is
// known already, so answering her needs no lookup on her server.
func (s *Service) answeredAuthor(ctx context.Context, inReplyTo string) (author model.RemoteActor, ok bool, err error) {
	if inReplyTo == "" {
		return author, false, nil
	}
	author, err = s.store.AuthorOfGroupMention(ctx, inReplyTo)
	if errors.Is(err, store.ErrNotFound) {
		return author, false, nil
	}
	return author, err == nil, err
}

// knownMention is mention as the account of author, when it names her.
func knownMention(author model.RemoteActor, mention textinput.Mention) (MentionedActor, bool) {
	if !strings.EqualFold(mention.User, author.PreferredUsername) || !strings.EqualFold(mention.Host, author.Host) {
		return MentionedActor{}, false
	}
	return MentionedActor{Handle: mention.Handle(), Username: mention.User, ActorIRI: author.IRI, ProfileURL: author.ProfileURL()}, true
}

// MentionsAuthor reports whether text mentions author's account, as an answer to her must.
func MentionsAuthor(text string, author model.RemoteActor) bool {
	for _, m := range textinput.Mentions(text) {
		if _, ok := knownMention(author, m); ok {
			return true
		}
	}
	return false
}
