package activities

import (
	"time"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/federation"
)

// GroupNote is the Note of a post the group wrote itself: attributed to the group, public, its
// `context` and `replies` the group's thread collection for it, its `audience` the group.
func GroupNote(iris federation.IRIs, group model.Group, post model.Post) (vocab.ActivityStreamsNote, error) {
	id, err := parseIRI(post.ObjectIRI)
	if err != nil {
		return nil, err
	}
	groupIRI, err := parseIRI(iris.GroupActor(group.Slug))
	if err != nil {
		return nil, err
	}
	thread, err := parseIRI(iris.GroupThread(group.Slug, post.ID))
	if err != nil {
		return nil, err
	}
	note := streams.NewActivityStreamsNote()
	note.SetJSONLDId(IDProperty(id))
	attributedTo := streams.NewActivityStreamsAttributedToProperty()
	attributedTo.AppendIRI(groupIRI)
	note.SetActivityStreamsAttributedTo(attributedTo)
	content := streams.NewActivityStreamsContentProperty()
	content.AppendXMLSchemaString(post.ContentHTML)
	note.SetActivityStreamsContent(content)
	if post.Summary != "" {
		summary := streams.NewActivityStreamsSummaryProperty()
		summary.AppendXMLSchemaString(post.Summary)
		note.SetActivityStreamsSummary(summary)
	}
	note.SetActivityStreamsPublished(publishedProperty(post.PublishedAt))
	if post.EditedAt != nil {
		updated := streams.NewActivityStreamsUpdatedProperty()
		updated.Set(post.EditedAt.UTC().Truncate(time.Second))
		note.SetActivityStreamsUpdated(updated)
	}
	page := streams.NewActivityStreamsUrlProperty()
	page.AppendIRI(id)
	note.SetActivityStreamsUrl(page)
	context := streams.NewActivityStreamsContextProperty()
	context.AppendIRI(thread)
	note.SetActivityStreamsContext(context)
	replies := streams.NewActivityStreamsRepliesProperty()
	replies.SetIRI(thread)
	note.SetActivityStreamsReplies(replies)
	if post.InReplyToIRI != "" {
		// An answer to a post that named the group: the author's app threads it under her post.
		inReplyTo, err := inReplyToProperty(post.InReplyToIRI)
		if err != nil {
			return nil, err
		}
		note.SetActivityStreamsInReplyTo(inReplyTo)
	}
	err = Audience{Visibility: post.Visibility, Followers: iris.GroupFollowers(group.Slug), Group: groupIRI.String()}.apply(note)
	return note, err
}

// GroupPostActivity wraps the group's own post in a Create or an Update (the Note embedded) or a
// Delete (the Note's id), from the group, addressed like the post.
func GroupPostActivity(kind, id string, iris federation.IRIs, group model.Group, post model.Post, at time.Time) (vocab.Type, error) {
	audience := Audience{Visibility: post.Visibility, Followers: iris.GroupFollowers(group.Slug), Group: iris.GroupActor(group.Slug)}
	if kind == "Delete" {
		objectIRI, err := parseIRI(post.ObjectIRI)
		if err != nil {
			return nil, err
		}
		return wrapProperty(streams.NewActivityStreamsDelete(), id, iris.GroupActor(group.Slug), audience, objectIRIProperty(objectIRI), at)
	}
	var activity wrapper = streams.NewActivityStreamsCreate()
	if kind == "Update" {
		activity = streams.NewActivityStreamsUpdate()
	}
	note, err := GroupNote(iris, group, post)
	if err != nil {
		return nil, err
	}
	return wrap(activity, id, iris.GroupActor(group.Slug), audience, note, at)
}
