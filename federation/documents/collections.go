package documents

import (
	"encoding/json"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/activities"
)

// activityStreamsContext is the JSON-LD context of every ActivityStreams document.
const activityStreamsContext = "https://www.w3.org/ns/activitystreams"

// maxFeatured bounds the featured collection; Mastodon shows five pins of its own users.
const maxFeatured = 20

// outboxPageSize is how many of the group's latest activities the outbox embeds. Servers read an
// outbox for totalItems (the post count Mastodon shows) and a first look at recent posts, never
// to backfill everything, so there is no paging.
const outboxPageSize = 20

// featured serves the group's pinned posts, newest pin first, with the Notes embedded: Mastodon
// shows them as the profile's pinned posts without fetching each one.
func (r *Routes) featured(c *gin.Context) {
	group, ok := r.liveGroup(c, c.Param("slug"))
	if !ok {
		return
	}
	posts, err := r.cfg.Store.ListPosts(c.Request.Context(), store.PostFilter{GroupID: group.ID,
		States: []model.PostState{model.PostVisible}, Public: true, Pinned: true, Limit: maxFeatured})
	if err != nil {
		r.fail(c, err)
		return
	}
	id, err := url.Parse(r.cfg.IRIs.GroupFeatured(group.Slug))
	if err != nil {
		r.fail(c, err)
		return
	}
	own := posts[:0]
	ids := make([]string, 0, len(posts))
	for _, post := range posts {
		if post.AuthorKind == model.AuthorGroup { // only the group's own posts are its to pin
			own = append(own, post)
			ids = append(ids, post.ID)
		}
	}
	parts, err := r.cfg.Store.PostParts(c.Request.Context(), ids...)
	if err != nil {
		r.fail(c, err)
		return
	}
	contexts := activities.NewContextSet(activityStreamsContext)
	items := make([]any, 0, len(own))
	for _, post := range own {
		note, err := activities.GroupNoteDocument(r.cfg.IRIs, group.Group, post, parts[post.ID])
		if err != nil {
			r.fail(c, err)
			return
		}
		contexts.Add(note["@context"])
		delete(note, "@context")
		items = append(items, note)
	}
	r.writeJSON(c, map[string]any{"@context": contexts.Value(), "id": id.String(), "type": "OrderedCollection",
		"totalItems": len(items), "orderedItems": items})
}

// outbox serves what the group has said: totalItems counts its visible public and unlisted posts
// that went to every follower, and the latest of them are embedded as the group's activities, as
// they were sent (the Announce of a member's post, the Create of the group's own).
func (r *Routes) outbox(c *gin.Context) {
	group, ok := r.liveGroup(c, c.Param("slug"))
	if !ok {
		return
	}
	ctx := c.Request.Context()
	total, err := r.cfg.Store.CountPublicPosts(ctx, group.ID, model.ReachFollowers)
	if err != nil {
		r.fail(c, err)
		return
	}
	posts, err := r.cfg.Store.ListPosts(ctx, store.PostFilter{GroupID: group.ID, States: []model.PostState{model.PostVisible},
		Reach: model.ReachFollowers, Public: true, Limit: outboxPageSize})
	if err != nil {
		r.fail(c, err)
		return
	}
	events, eventCount, err := r.cfg.Store.PublishedEvents(ctx, group.ID, outboxPageSize)
	if err != nil {
		r.fail(c, err)
		return
	}
	total += eventCount
	activityIRIs := newestActivities(posts, events, outboxPageSize)
	stored, err := r.cfg.Store.OutboundActivitiesByIRI(ctx, activityIRIs)
	if err != nil {
		r.fail(c, err)
		return
	}
	contexts := activities.NewContextSet(activityStreamsContext)
	items := make([]any, 0, len(activityIRIs))
	for _, iri := range activityIRIs {
		activity, found := stored[iri]
		if !found {
			continue // not sent yet (or pruned): the outbox lists what can be dereferenced
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(activity.Body), &doc); err != nil {
			r.cfg.Logger.WarnContext(ctx, "outbox: stored activity is not JSON", "activity", iri, "error", err)
			continue
		}
		contexts.Add(doc["@context"])
		delete(doc, "@context")
		items = append(items, doc)
	}
	r.writeJSON(c, map[string]any{"@context": contexts.Value(), "id": r.cfg.IRIs.GroupOutbox(group.Slug),
		"type": "OrderedCollection", "totalItems": total, "orderedItems": items})
}

// newestActivities merges the activities that shared posts and published events, newest first, up
// to limit: both lists come newest first.
func newestActivities(posts []model.Post, events []model.Event, limit int) []string {
	iris := make([]string, 0, limit)
	for len(iris) < limit && (len(posts) > 0 || len(events) > 0) {
		if len(events) == 0 || len(posts) > 0 && !posts[0].PublishedAt.Before(events[0].PublishedAt) {
			if iri := groupActivityOf(posts[0]); iri != "" {
				iris = append(iris, iri)
			}
			posts = posts[1:]
			continue
		}
		if events[0].CreateActivityIRI != "" {
			iris = append(iris, events[0].CreateActivityIRI)
		}
		events = events[1:]
	}
	return iris
}

// groupActivityOf names the activity by which the group shared post with its followers: the
// Announce of a member's post, the Create of its own; "" when there is none yet.
func groupActivityOf(post model.Post) string {
	if post.AuthorKind == model.AuthorGroup {
		return post.CreateActivityIRI
	}
	if post.AnnounceActivityIRI != nil {
		return *post.AnnounceActivityIRI
	}
	return ""
}
