package documents

import (
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/refusal"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
	"github.com/kring-social/kring/federation"
)

// activityJSON is the media type Kring serves its documents with.
const activityJSON = "application/activity+json; charset=utf-8"

// GroupPage renders a group's public HTML page for people who open the actor's URL in a browser,
// with what the page lists.
type GroupPage func(c *gin.Context, group store.GroupInOrganisation, followers int64, posts store.GroupPagePosts)

// groupPageRecent is how many recent posts the group's page lists below the pinned ones.
const groupPageRecent = 20

// Config is what the document routes need.
type Config struct {
	Store     *store.Store
	IRIs      federation.IRIs
	Version   string
	GroupPage GroupPage
	// EventPage renders an event's page for browsers; nil sends them to the group's page.
	EventPage EventPage
	Logger    *slog.Logger
}

// Routes serves the documents.
type Routes struct{ cfg Config }

// NewRoutes returns the document routes.
func NewRoutes(cfg Config) *Routes {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Routes{cfg: cfg}
}

// Mount registers the routes.
func (r *Routes) Mount(router gin.IRouter) {
	router.GET("/.well-known/webfinger", r.webfinger)
	router.GET("/.well-known/host-meta", r.hostMeta)
	router.GET("/.well-known/nodeinfo", r.nodeInfoLinks)
	router.GET("/nodeinfo/2.1", r.nodeInfo)
	router.GET("/actor", r.instanceActor)
	router.GET("/groups/:slug", r.group)
	router.GET("/groups/:slug/followers", r.followers)
	router.GET("/groups/:slug/outbox", r.outbox)
	router.GET("/groups/:slug/featured", r.featured)
	router.GET("/groups/:slug/posts/:id", r.groupPost)
	router.GET("/groups/:slug/events/:id", r.groupEvent)
	router.GET("/groups/:slug/threads/:id", r.thread)
	router.GET("/groups/:slug/events/:id/poll", r.eventPoll)
	router.GET("/groups/:slug/moderators", r.emptyCollection(func(slug string) string { return r.cfg.IRIs.GroupModerators(slug) }))
	router.GET("/activities/:id", r.activity)
}

// wantsActivityJSON reports whether the client asked for ActivityStreams rather than a page:
// application/activity+json, or application/ld+json (servers send it with or without the profile).
func wantsActivityJSON(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mediaType, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if mediaType == "application/activity+json" || mediaType == "application/ld+json" {
			return true
		}
	}
	return false
}

// liveGroup loads the group slug names; it answers 404 or 410 itself and returns false.
func (r *Routes) liveGroup(c *gin.Context, slug string) (store.GroupInOrganisation, bool) {
	group, err := r.cfg.Store.GroupBySlug(c.Request.Context(), slug)
	switch {
	case errors.Is(err, store.ErrNotFound):
		refusal.Refuse(c, http.StatusNotFound, "no such group")
		return group, false
	case err != nil:
		r.fail(c, err)
		return group, false
	case group.ArchivedAt != nil:
		// Gone, not missing: servers that cached the group drop it.
		refusal.Refuse(c, http.StatusGone, "group archived")
		return group, false
	}
	return group, true
}

// pagePosts are the posts the group's page lists: ?tag=<hashtag> keeps those with that hashtag
// (where the hashtags of the group's posts lead); a tag no post could have lists none.
func (r *Routes) pagePosts(c *gin.Context, group store.GroupInOrganisation) (store.GroupPagePosts, error) {
	ctx := c.Request.Context()
	tag, tagged := c.GetQuery("tag")
	if !tagged {
		return r.cfg.Store.PublicPagePosts(ctx, group.ID, groupPageRecent, c.Query("before"))
	}
	if !textinput.ValidHashtag(tag) {
		return store.GroupPagePosts{}, nil
	}
	return r.cfg.Store.PublicPagePostsTagged(ctx, group.ID, textinput.HashtagKey(tag), groupPageRecent, c.Query("before"))
}

func (r *Routes) group(c *gin.Context) {
	c.Header("Vary", "Accept")
	group, ok := r.liveGroup(c, c.Param("slug"))
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if !wantsActivityJSON(c.GetHeader("Accept")) {
		followers, err := r.cfg.Store.CountFollowers(ctx, group.ID)
		if err != nil {
			r.fail(c, err)
			return
		}
		// ?before=<post id> continues the listing after that post (the page's "Older posts").
		posts, err := r.pagePosts(c, group)
		if errors.Is(err, store.ErrNotFound) {
			refusal.Refuse(c, http.StatusNotFound, "no such post")
			return
		}
		if err != nil {
			r.fail(c, err)
			return
		}
		r.cfg.GroupPage(c, group, followers, posts)
		return
	}
	key, err := r.cfg.Store.ActiveGroupKey(ctx, group.ID)
	if err != nil {
		r.fail(c, err)
		return
	}
	body, err := GroupActor(r.cfg.IRIs, group.Group, key)
	if err != nil {
		r.fail(c, err)
		return
	}
	c.Data(http.StatusOK, activityJSON, body)
}

func (r *Routes) instanceActor(c *gin.Context) {
	key, err := r.cfg.Store.ActiveInstanceKey(c.Request.Context())
	if err != nil {
		r.fail(c, err)
		return
	}
	body, err := InstanceActor(r.cfg.IRIs, key)
	if err != nil {
		r.fail(c, err)
		return
	}
	c.Data(http.StatusOK, activityJSON, body)
}

// followersPageSize is how many followers one collection page lists.
const followersPageSize = 50

// followers serves the followers collection: the collection (with totalItems, which Mastodon shows
// as the count) and, with ?page=..., pages in keyset order. Member lists of a group are public, as
// on Lemmy; the cursor is opaque.
func (r *Routes) followers(c *gin.Context) {
	group, ok := r.liveGroup(c, c.Param("slug"))
	if !ok {
		return
	}
	ctx := c.Request.Context()
	collection := r.cfg.IRIs.GroupFollowers(group.Slug)
	cursor, paged := c.GetQuery("page")
	if !paged {
		total, err := r.cfg.Store.CountFollowers(ctx, group.ID)
		if err != nil {
			r.fail(c, err)
			return
		}
		r.writeJSON(c, map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": collection,
			"type": "OrderedCollection", "totalItems": total, "first": collection + "?page=" + firstPage})
		return
	}
	if cursor == firstPage {
		cursor = ""
	}
	page, err := r.cfg.Store.FollowersAfter(ctx, group.ID, cursor, followersPageSize)
	if err != nil {
		r.fail(c, err)
		return
	}
	items := page.ActorIRIs
	if items == nil {
		items = []string{}
	}
	doc := map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": collection + "?page=" + c.Query("page"),
		"type": "OrderedCollectionPage", "partOf": collection, "orderedItems": items}
	if page.Next != "" {
		doc["next"] = collection + "?page=" + page.Next
	}
	r.writeJSON(c, doc)
}

// firstPage names the first page of a keyset-paged collection.
const firstPage = "first"

// emptyCollection serves a collection Kring has nothing in: moderators are staff, who have no actors.
func (r *Routes) emptyCollection(id func(slug string) string) gin.HandlerFunc {
	return func(c *gin.Context) {
		group, ok := r.liveGroup(c, c.Param("slug"))
		if !ok {
			return
		}
		r.writeJSON(c, map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": id(group.Slug),
			"type": "OrderedCollection", "totalItems": 0, "orderedItems": []string{}})
	}
}

func (r *Routes) writeJSON(c *gin.Context, doc any) {
	body, err := json.Marshal(doc)
	if err != nil {
		r.fail(c, err)
		return
	}
	c.Data(http.StatusOK, activityJSON, body)
}

func (r *Routes) fail(c *gin.Context, err error) {
	r.cfg.Logger.ErrorContext(c.Request.Context(), "serve document", "path", c.Request.URL.Path, "error", err)
	refusal.Respond(c, http.StatusInternalServerError, "internal error")
}

// groupCount counts live groups, for NodeInfo.
func (r *Routes) groupCount(c *gin.Context) (int, error) {
	groups, err := r.cfg.Store.ListGroups(c.Request.Context(), "")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, g := range groups {
		if g.ArchivedAt == nil {
			n++
		}
	}
	return n, nil
}
