package admin

import (
	"errors"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// composeAnswer is the mention the Write form answers: the form carries its id, and the post
// published names it in inReplyTo and mentions its author, as a Mastodon reply does.
type composeAnswer struct {
	listedMention
}

// answerOf loads the group's mention of id, with its author; ErrNotFound (a 404) when the group has
// no such mention, so a made-up or another group's id changes nothing.
func (a *Admin) answerOf(c *gin.Context, group store.GroupInOrganisation, id string) (*composeAnswer, error) {
	ctx := c.Request.Context()
	mention, err := a.cfg.Store.GroupMention(ctx, group.ID, id)
	if err != nil {
		return nil, mentionNotFound(err, group, id)
	}
	author, err := a.cfg.Store.RemoteActorByID(ctx, mention.RemoteActorID)
	if err != nil {
		return nil, err
	}
	return &composeAnswer{listedMention{MentionWithAuthor: store.MentionWithAuthor{GroupMention: mention, Author: author},
		Excerpt: textinput.Excerpt(textinput.PlainText(mention.ContentHTML), 280)}}, nil
}

// answerDraft makes draft the answer to the group's mention of id, if id is not empty: its post
// named in inReplyTo, and her handle in front of the text unless the text mentions her already, as
// a Mastodon reply starts, so that her server shows her the answer. The Write form is opened with
// ?answer= and sends the id back in its answer field.
func (a *Admin) answerDraft(c *gin.Context, group store.GroupInOrganisation, id string, draft *conversations.Draft) error {
	if id == "" {
		return nil
	}
	answer, err := a.answerOf(c, group, id)
	if err != nil {
		return err
	}
	draft.InReplyTo = answer.ObjectIRI
	if !conversations.MentionsAuthor(draft.Text, answer.Author) {
		draft.Text = answer.Author.Handle() + " " + strings.TrimSpace(draft.Text)
	}
	return nil
}

// answering is the mention a draft answers, for the form to show and carry; nil when it answers
// none the group keeps (any more).
func (a *Admin) answering(c *gin.Context, group store.GroupInOrganisation, draft conversations.Draft) (*composeAnswer, error) {
	if draft.InReplyTo == "" {
		return nil, nil
	}
	mention, err := a.cfg.Store.GroupMentionOfObject(c.Request.Context(), group.ID, draft.InReplyTo)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return a.answerOf(c, group, mention.ID)
}
