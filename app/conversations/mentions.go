package conversations

import (
	"context"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// What a stranger can make a group keep of her mentions: a few an hour from one author, a few more
// from one host, each at most maxMentionHTML of markup. Past the bounds her posts are still handled
// as the group's rules say; only the copy kept for staff to read is dropped.
const (
	mentionsWindow    = time.Hour
	mentionsPerAuthor = 10
	mentionsPerHost   = 50
	maxMentionHTML    = 5_000
)

// mentionBounds are the bounds of mentions kept, at now.
func mentionBounds(now time.Time) store.MentionBounds {
	return store.MentionBounds{PerAuthor: mentionsPerAuthor, PerHost: mentionsPerHost, Since: now.Add(-mentionsWindow)}
}

// keepMention keeps, for staff to read and answer, a post that addressed the group from an author
// who is not its member; postID names the group's post of it when the group took it in. Called in
// Submit's transaction, after the author's and her host's posting is locked
// (store.PostingRateLocks), so the bounds hold however many deliveries arrive at once; counted are
// her and her host's mentions of the group as its standing read them under those locks, or nil
// when it did not.
func (s *Service) keepMention(ctx context.Context, tx *store.Store, author model.RemoteActor, sub Submission, safeHTML string, group model.Group,
	postID *string, counted *store.MentionCounts) error {
	mention := model.GroupMention{GroupID: group.ID, ObjectIRI: sub.ObjectIRI, URL: sub.URL, RemoteActorID: author.ID, AuthorHost: author.Host,
		ContentHTML: mentionHTML(safeHTML), Summary: textinput.Clip(sub.Summary, maxSummary),
		PublishedAt: sub.PublishedAt, PostID: postID}
	if mention.PublishedAt.IsZero() {
		mention.PublishedAt = s.now()
	}
	bounds := mentionBounds(s.now())
	bounds.Counted = counted
	_, err := tx.RecordGroupMention(ctx, mention, bounds)
	return err
}

// mentionHTML is a mention's sanitised content as kept: clipped, then sanitised again so that a tag
// cut in half is dropped rather than kept open.
func mentionHTML(safeHTML string) string {
	return textinput.SanitizeHTML(textinput.Clip(safeHTML, maxMentionHTML))
}

// editMentions gives the copies kept of an author's post as mentions of groups the words of her
// edit, as the groups' copies of her post are given them.
func (s *Service) editMentions(ctx context.Context, author model.RemoteActor, edit Edit) error {
	_, err := s.store.EditGroupMentions(ctx, author.ID, edit.ObjectIRI, store.MentionEdit{
		ContentHTML: mentionHTML(textinput.SanitizeHTML(edit.ContentHTML)), Summary: textinput.Clip(edit.Summary, maxSummary), URL: edit.URL})
	return err
}
