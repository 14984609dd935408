// Package outbox builds what a group sends about its conversations (Announces in both shapes, their
// Undo, Rejects of declined posts, the group's own Create, Update and Delete) and queues it through
// the delivery outbox of the caller's transaction. It is the conversations service's Federator;
// Bans, Flags and FollowResponder do the same for moderation's bans, reports' forwarded Flags and
// membership's answers to follow requests.
package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/go-fed/activity/streams/vocab"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation"
	"github.com/kring-social/kring/federation/activities"
	"github.com/kring-social/kring/federation/delivery"
	"github.com/kring-social/kring/federation/documents"
)

// Federator sends a group's conversation activities.
type Federator struct {
	IRIs    federation.IRIs
	Planner delivery.Planner
	Now     func() time.Time // time.Now when nil
}

var _ conversations.Federator = Federator{}

func (f Federator) now() time.Time { return nowFrom(f.Now) }

// nowFrom reads clock, or the system's when it is nil.
func nowFrom(clock func() time.Time) time.Time {
	if clock != nil {
		return clock()
	}
	return time.Now()
}

func (f Federator) audience(group model.Group, visibility model.Visibility) activities.Audience {
	return activities.Audience{Visibility: visibility, Followers: f.IRIs.GroupFollowers(group.Slug), Group: f.IRIs.GroupActor(group.Slug)}
}

// AnnounceIDs makes the ids of the Announces AnnouncePost sends of post: the object's when the post
// is for every follower's timeline, the Create's when it has its author's activity.
func (f Federator) AnnounceIDs(post model.Post) conversations.Announced {
	var ids conversations.Announced
	if post.Reach == model.ReachFollowers {
		ids.ObjectAnnounceIRI = f.IRIs.NewActivity()
	}
	if post.ActivityJSON != "" {
		ids.ActivityAnnounceIRI = f.IRIs.NewActivity()
	}
	return ids
}

// AnnouncePost sends a member's post under ids (AnnounceIDs): the Announce of the object to
// microblogging servers (only when the post is for every follower's timeline), and the FEP-1b12
// Announce of the author's Create to servers that understand groups (always: they keep replies in
// their thread, not in timelines).
func (f Federator) AnnouncePost(ctx context.Context, tx *store.Store, group model.Group, post model.Post, ids conversations.Announced) error {
	var shapes delivery.Shapes
	if ids.ObjectAnnounceIRI != "" {
		announce := activities.Announce{ID: ids.ObjectAnnounceIRI, Group: f.IRIs.GroupActor(group.Slug),
			Audience: f.audience(group, post.Visibility), ObjectIRI: post.ObjectIRI, At: f.now()}
		activity, err := f.outgoing(group, announce)
		if err != nil {
			return err
		}
		activity.PostID = post.ID
		shapes.Microblog = &activity
	}
	if ids.ActivityAnnounceIRI != "" {
		activity, err := f.announceActivity(group, ids.ActivityAnnounceIRI, post.Visibility, post.ActivityJSON)
		if err != nil {
			return fmt.Errorf("announce the Create of post %s: %w", post.ID, err)
		}
		activity.PostID = post.ID
		shapes.GroupAware = &activity
	}
	_, _, err := f.Planner.ToFollowersInShapes(ctx, tx, group, shapes)
	return err
}

// ForwardActivity announces an author's activity (Update, Delete, Like, Undo) to servers that
// understand groups.
func (f Federator) ForwardActivity(ctx context.Context, tx *store.Store, group model.Group, activityJSON string) error {
	activity, err := f.announceActivity(group, f.IRIs.NewActivity(), model.VisibilityPublic, activityJSON)
	if err != nil {
		return fmt.Errorf("forward activity: %w", err)
	}
	_, _, err = f.Planner.ToFollowersInShapes(ctx, tx, group, delivery.Shapes{GroupAware: &activity})
	return err
}

// announceActivity builds the group's FEP-1b12 Announce of an author's activity, with id, embedded
// as sent.
func (f Federator) announceActivity(group model.Group, id string, visibility model.Visibility, activityJSON string) (delivery.Activity, error) {
	announce := activities.Announce{ID: id, Group: f.IRIs.GroupActor(group.Slug),
		Audience: f.audience(group, visibility), EmbeddedJSON: []byte(activityJSON), At: f.now()}
	return f.outgoing(group, announce)
}

// WithdrawPost undoes the Announce of the object for microblogging servers; servers that understand
// groups get the author's Delete announced, or the Undo of the Announce of the Create.
func (f Federator) WithdrawPost(ctx context.Context, tx *store.Store, group model.Group, post model.Post, authorDelete string) error {
	var shapes delivery.Shapes
	if post.AnnounceActivityIRI != nil {
		undo, err := f.undoAnnounce(group, post, *post.AnnounceActivityIRI, activities.Announce{ObjectIRI: post.ObjectIRI})
		if err != nil {
			return err
		}
		shapes.Microblog = &undo
	}
	switch {
	case authorDelete != "":
		activity, err := f.announceActivity(group, f.IRIs.NewActivity(), model.VisibilityPublic, authorDelete)
		if err != nil {
			return fmt.Errorf("announce the author's Delete: %w", err)
		}
		shapes.GroupAware = &activity
	case post.ActivityAnnounceIRI != nil && post.CreateActivityIRI != "":
		undo, err := f.undoAnnounce(group, post, *post.ActivityAnnounceIRI, activities.Announce{ObjectIRI: post.CreateActivityIRI})
		if err != nil {
			return err
		}
		shapes.GroupAware = &undo
	}
	_, _, err := f.Planner.ToFollowersInShapes(ctx, tx, group, shapes)
	return err
}

// undoAnnounce builds the Undo of the group's Announce with id announceID; announced names what it
// announced (only ObjectIRI is read).
func (f Federator) undoAnnounce(group model.Group, post model.Post, announceID string, announced activities.Announce) (delivery.Activity, error) {
	announced.ID, announced.Group = announceID, f.IRIs.GroupActor(group.Slug)
	announced.Audience, announced.At = f.audience(group, post.Visibility), post.PublishedAt
	original, err := announced.Build()
	if err != nil {
		return delivery.Activity{}, err
	}
	undo, err := activities.Undo(f.IRIs.NewActivity(), f.IRIs.GroupActor(group.Slug), f.audience(group, post.Visibility), original, f.now())
	if err != nil {
		return delivery.Activity{}, err
	}
	return f.serialize(group, undo)
}

// DeclinePost sends the author a Reject of the Create the group declined.
func (f Federator) DeclinePost(ctx context.Context, tx *store.Store, group model.Group, post model.Post, author model.RemoteActor, reason string) error {
	if post.CreateActivityIRI == "" {
		return nil
	}
	reject, err := activities.RejectActivity(f.IRIs.NewActivity(), f.IRIs.GroupActor(group.Slug), author.IRI, post.CreateActivityIRI, reason)
	if err != nil {
		return err
	}
	activity, err := f.serialize(group, reject)
	if err != nil {
		return err
	}
	return f.Planner.ToInbox(ctx, tx, activity, author.InboxURL, author.Host)
}

// GroupObjectIRI is the id of the group's own post.
func (f Federator) GroupObjectIRI(group model.Group, postID string) string {
	return f.IRIs.GroupPost(group.Slug, postID)
}

// GroupTagURL is the group's page of its posts with a hashtag.
func (f Federator) GroupTagURL(group model.Group, tag string) string {
	return f.IRIs.GroupTag(group.Slug, tag)
}

// PublishGroupPost sends the group's Create of its own post to every follower and to every account
// it mentions: every server takes a Create from the post's author, which the group is.
func (f Federator) PublishGroupPost(ctx context.Context, tx *store.Store, group model.Group, post model.Post) (conversations.Created, error) {
	activity, err := f.groupPostActivity(ctx, tx, "Create", group, post)
	return conversations.Created{ActivityIRI: activity.IRI, ActivityJSON: string(activity.Body)}, err
}

// UpdateGroupPost sends the Update of the group's own post to every follower and every account it
// mentions now.
func (f Federator) UpdateGroupPost(ctx context.Context, tx *store.Store, group model.Group, post model.Post) error {
	_, err := f.groupPostActivity(ctx, tx, "Update", group, post)
	return err
}

// DeleteGroupPost sends the Delete of the group's own post to every follower and every account it
// mentioned.
func (f Federator) DeleteGroupPost(ctx context.Context, tx *store.Store, group model.Group, post model.Post) error {
	_, err := f.groupPostActivity(ctx, tx, "Delete", group, post)
	return err
}

// groupPostActivity builds the group's Create, Update or Delete of its own post, with the pictures,
// hashtags and mentions stored with it in tx, and plans its delivery to the followers and the
// mentioned accounts' inboxes (one delivery per distinct inbox).
func (f Federator) groupPostActivity(ctx context.Context, tx *store.Store, kind string, group model.Group, post model.Post) (delivery.Activity, error) {
	parts, err := tx.PartsOfPost(ctx, post.ID)
	if err != nil {
		return delivery.Activity{}, err
	}
	id := f.IRIs.NewActivity()
	body, err := activities.GroupPostActivityJSON(kind, id, f.IRIs, group, post, parts, f.now())
	if err != nil {
		return delivery.Activity{}, err
	}
	mentioned, err := mentionedInboxes(ctx, tx, parts.Mentions)
	if err != nil {
		return delivery.Activity{}, err
	}
	activity := delivery.Activity{IRI: id, Type: kind, GroupID: group.ID, Body: body}
	if kind != "Delete" {
		activity.PostID = post.ID // a Delete takes the post away: it is no reach of the post
	}
	_, err = f.Planner.ToFollowersAnd(ctx, tx, group, activity, mentioned)
	return activity, err
}

// mentionedInboxes are the inboxes of the accounts a post mentions (their shared inbox when they
// have one), as looked up when the post was prepared.
func mentionedInboxes(ctx context.Context, tx *store.Store, mentions []model.PostMention) ([]store.InboxTarget, error) {
	targets := make([]store.InboxTarget, 0, len(mentions))
	for _, m := range mentions {
		actor, err := tx.RemoteActorByIRI(ctx, m.ActorIRI)
		if err != nil {
			return nil, fmt.Errorf("the inbox of %s, mentioned: %w", m.Name, err)
		}
		inbox := actor.SharedInboxURL
		if inbox == "" {
			inbox = actor.InboxURL
		}
		targets = append(targets, store.InboxTarget{URL: inbox, Host: actor.Host})
	}
	return targets, nil
}

// UpdateGroupActor sends an Update of the group's actor document, so followers' servers refetch it
// and its featured collection.
func (f Federator) UpdateGroupActor(ctx context.Context, tx *store.Store, group model.Group) error {
	key, err := tx.ActiveGroupKey(ctx, group.ID)
	if err != nil {
		return err
	}
	doc, err := documents.GroupActor(f.IRIs, group, key)
	if err != nil {
		return err
	}
	actor, err := activities.Parse(ctx, string(doc))
	if err != nil {
		return err
	}
	update, err := activities.UpdateOf(f.IRIs.NewActivity(), f.IRIs.GroupActor(group.Slug), f.audience(group, model.VisibilityPublic), actor, f.now())
	if err != nil {
		return err
	}
	activity, err := f.serialize(group, update)
	if err != nil {
		return err
	}
	_, err = f.Planner.ToFollowers(ctx, tx, group, activity)
	return err
}

func (f Federator) outgoing(group model.Group, announce activities.Announce) (delivery.Activity, error) {
	body, err := announce.Marshal()
	if err != nil {
		return delivery.Activity{}, err
	}
	return delivery.Activity{IRI: announce.ID, Type: "Announce", GroupID: group.ID, Body: body}, nil
}

func (f Federator) serialize(group model.Group, t vocab.Type) (delivery.Activity, error) {
	body, err := activities.Marshal(t)
	if err != nil {
		return delivery.Activity{}, err
	}
	id := t.GetJSONLDId().Get().String()
	return delivery.Activity{IRI: id, Type: t.GetTypeName(), GroupID: group.ID, Body: body}, nil
}
