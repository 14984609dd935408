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

// startAnswer fills a new draft in to answer the mention ?answer= names: her handle first, as a
// Mastodon reply starts.
func (a *Admin) startAnswer(c *gin.Context, group store.GroupInOrganisation, draft *conversations.Draft) error {
	id := c.Query("answer")
	if id == "" {
		return nil
	}
	answer, err := a.answerOf(c, group, id)
	if err != nil {
		return err
	}
	draft.Text, draft.InReplyTo = answer.Author.Handle()+" ", answer.ObjectIRI
	return nil
}

// readAnswer makes draft, as the form sent it, the answer to the mention the form's answer field
// names, if any; a text that no longer mentions her gets her handle back in front, so that her
// server shows her the answer.
func (a *Admin) readAnswer(c *gin.Context, group store.GroupInOrganisation, draft *conversations.Draft) error {
	id := c.PostForm("answer")
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
