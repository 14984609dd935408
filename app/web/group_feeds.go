package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/feeds"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/refusal"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
	"github.com/kring-social/kring/federation"
)

// feedItems is how many posts a group's feeds carry, newest first.
const feedItems = 20

// feedTitleLength is how many characters of a post's text make its item's title.
const feedTitleLength = 80

// feedMaxAge is how long feed readers and caches may keep a feed before asking again.
const feedMaxAge = "public, max-age=300"

// GroupFeeds serves a group's public posts as RSS 2.0 and Atom feeds: the posts its public page
// lists, the group's own and the members' posts it shared.
type GroupFeeds struct {
	store  *store.Store
	iris   federation.IRIs
	logger *slog.Logger
}

// NewGroupFeeds returns the feeds of the instance at iris.
func NewGroupFeeds(st *store.Store, iris federation.IRIs, logger *slog.Logger) *GroupFeeds {
	if logger == nil {
		logger = slog.Default()
	}
	return &GroupFeeds{store: st, iris: iris, logger: logger}
}

// Mount registers GET /groups/{slug}/feed.rss and /groups/{slug}/feed.atom.
func (f *GroupFeeds) Mount(router gin.IRouter) {
	router.GET("/groups/:slug/feed.rss", func(c *gin.Context) { f.serve(c, "application/rss+xml; charset=utf-8", (*feeds.Feed).ToRss) })
	router.GET("/groups/:slug/feed.atom", func(c *gin.Context) { f.serve(c, "application/atom+xml; charset=utf-8", (*feeds.Feed).ToAtom) })
}

// FeedPaths are where a group's feeds are served on this origin.
func FeedPaths(slug string) (rss, atom string) {
	return "/groups/" + slug + "/feed.rss", "/groups/" + slug + "/feed.atom"
}

func (f *GroupFeeds) serve(c *gin.Context, contentType string, write func(*feeds.Feed) (string, error)) {
	group, err := f.store.GroupBySlug(c.Request.Context(), c.Param("slug"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		refusal.Refuse(c, http.StatusNotFound, "no such group")
		return
	case err != nil:
		respondError(c, f.logger, err)
		return
	case group.ArchivedAt != nil:
		// As the group's page answers: gone, not missing.
		refusal.Refuse(c, http.StatusGone, "group archived")
		return
	}
	page, err := f.store.PublicPagePosts(c.Request.Context(), group.ID, feedItems, "")
	if err != nil {
		respondError(c, f.logger, err)
		return
	}
	feed, newest := f.feed(group, page)
	body, err := write(feed)
	if err != nil {
		respondError(c, f.logger, err)
		return
	}
	sendCached(c, contentType, feedMaxAge, []byte(body), newest)
}

// feed is the group's feed of the posts its page lists, newest first, and when the newest changed.
func (f *GroupFeeds) feed(group store.GroupInOrganisation, page store.GroupPagePosts) (*feeds.Feed, time.Time) {
	posts := append(append([]store.AuthoredPost{}, page.Pinned...), page.Recent...)
	sort.SliceStable(posts, func(i, j int) bool { return posts[i].PublishedAt.After(posts[j].PublishedAt) })
	if len(posts) > feedItems {
		posts = posts[:feedItems]
	}
	pageURL := f.iris.GroupActor(group.Slug)
	feed := &feeds.Feed{Title: group.Name, Link: &feeds.Link{Href: pageURL}, Id: pageURL,
		Description: textinput.PlainText(textinput.TextToHTML(group.Summary)), Created: group.CreatedAt.UTC()}
	if feed.Description == "" {
		feed.Description = group.Name + " (" + f.iris.GroupHandle(group.Slug) + ")"
	}
	var newest time.Time
	for _, post := range posts {
		updated := post.PublishedAt
		if post.EditedAt != nil && post.EditedAt.After(updated) {
			updated = *post.EditedAt
		}
		if updated.After(newest) {
			newest = updated
		}
		title := textinput.Excerpt(textinput.PlainText(post.ContentHTML), feedTitleLength)
		if post.Summary != "" {
			title = textinput.Excerpt(post.Summary, feedTitleLength) // the content warning, not what it folds
		}
		if title == "" {
			title = "Post of " + group.Name
		}
		item := &feeds.Item{Title: title, Link: &feeds.Link{Href: f.postLink(group, post)}, Id: post.ObjectIRI,
			IsPermaLink: "false", Created: post.PublishedAt.UTC(), Updated: updated.UTC(),
			Description: title, Content: post.ContentHTML} // sanitised when stored
		if post.AuthorKind == model.AuthorGroup {
			item.Author = &feeds.Author{Name: group.Name}
		} else if post.AuthorName != "" {
			item.Author = &feeds.Author{Name: post.AuthorName}
		} else {
			item.Author = &feeds.Author{Name: "@" + post.AuthorUsername + "@" + post.AuthorHost}
		}
		if item.Id == "" {
			item.Id = item.Link.Href
		}
		feed.Items = append(feed.Items, item)
	}
	if !newest.IsZero() {
		feed.Updated = newest.UTC()
	}
	return feed, newest
}

// postLink is where a post reads well in a browser: its author's page for it, else its id.
func (f *GroupFeeds) postLink(group store.GroupInOrganisation, post store.AuthoredPost) string {
	if post.AuthorKind == model.AuthorGroup {
		if link := webLink(post.URL); link != "" {
			return link
		}
		return f.iris.GroupPost(group.Slug, post.ID)
	}
	if link := webLink(post.URL, post.ObjectIRI); link != "" {
		return link
	}
	return f.iris.GroupActor(group.Slug)
}

// sendCached answers with body, its hash as ETag and modified as Last-Modified (when known), or 304
// when the client's copy is current: If-None-Match decides when sent, else If-Modified-Since.
func sendCached(c *gin.Context, contentType, cacheControl string, body []byte, modified time.Time) {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	c.Header("Cache-Control", cacheControl)
	c.Header("ETag", etag)
	if !modified.IsZero() {
		c.Header("Last-Modified", modified.UTC().Format(http.TimeFormat))
	}
	if notModified(c.Request, etag, modified) {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, contentType, body)
}

// notModified reports whether the request's conditions say the client has this version.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if match := r.Header.Get("If-None-Match"); match != "" {
		for _, candidate := range splitETags(match) {
			if candidate == "*" || candidate == etag || candidate == "W/"+etag {
				return true
			}
		}
		return false
	}
	since, err := http.ParseTime(r.Header.Get("If-Modified-Since"))
	return err == nil && !modified.IsZero() && !modified.Truncate(time.Second).After(since)
}

// splitETags splits an If-None-Match list.
func splitETags(list string) []string {
	var tags []string
	for _, part := range strings.Split(list, ",") {
		if part = strings.TrimSpace(part); part != "" {
			tags = append(tags, part)
		}
	}
	return tags
}
