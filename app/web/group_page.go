package web

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/events"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/refusal"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
	"github.com/kring-social/kring/federation"
)

//go:embed templates/group.html templates/event.html
var groupTemplates embed.FS

var groupPageTemplate = template.Must(template.ParseFS(groupTemplates, "templates/group.html"))

// GroupPages renders groups' public pages and sends visitors to their own server to follow.
type GroupPages struct {
	iris federation.IRIs
	// events lists a group's upcoming events on its page; nil leaves them out.
	events *store.Store
	now    func() time.Time
}

// groupPageEvents is how many upcoming events a group's page lists.
const groupPageEvents = 5

// NewGroupPages returns the group pages of the instance at iris.
func NewGroupPages(iris federation.IRIs) *GroupPages { return &GroupPages{iris: iris, now: time.Now} }

// WithEvents returns the pages listing each group's next events from st, with its calendar.
func (p *GroupPages) WithEvents(st *store.Store) *GroupPages {
	c := *p
	c.events = st
	return &c
}

// WithClock returns the pages reading the time from now (tests).
func (p *GroupPages) WithClock(now func() time.Time) *GroupPages {
	c := *p
	c.now = now
	return &c
}

// pageEvent is an upcoming event as the group's page lists it.
type pageEvent struct {
	Title, When, Path string
	Cancelled         bool
}

func (p *GroupPages) upcomingEvents(c *gin.Context, group store.GroupInOrganisation) ([]pageEvent, error) {
	if p.events == nil {
		return nil, nil
	}
	upcoming, err := p.events.Events(c.Request.Context(), store.EventFilter{GroupID: group.ID, Now: p.now(), Limit: groupPageEvents})
	if err != nil {
		return nil, err
	}
	shown := make([]pageEvent, 0, len(upcoming))
	for _, e := range upcoming {
		shown = append(shown, pageEvent{Title: e.Title, When: events.When(e), Path: "/groups/" + group.Slug + "/events/" + e.ID,
			Cancelled: e.Status == model.EventCancelled})
	}
	return shown, nil
}

// Mount registers the follow redirect; the page itself is served by the actor's URL (see Render).
func (p *GroupPages) Mount(router gin.IRouter) {
	router.GET("/groups/:slug/follow", p.remoteFollow)
}

// Render writes a group's page, with its pinned posts first and then its recent ones.
func (p *GroupPages) Render(c *gin.Context, group store.GroupInOrganisation, followers int64, posts store.GroupPagePosts) {
	events, err := p.upcomingEvents(c, group)
	if err != nil {
		refusal.Respond(c, http.StatusInternalServerError, "internal error")
		return
	}
	var calendar string
	if p.events != nil {
		calendar = "/groups/" + group.Slug + "/events.ics"
	}
	feedRSS, feedAtom := FeedPaths(group.Slug)
	actorURL := p.iris.GroupActor(group.Slug)
	// A page of one hashtag's posts pages through that hashtag's posts.
	tag := c.Query("tag")
	listing := url.Values{}
	if tag != "" {
		listing.Set("tag", tag)
	}
	var older, newest string
	if posts.Older != "" {
		next := url.Values{"before": {posts.Older}}
		if tag != "" {
			next.Set("tag", tag)
		}
		older = "/groups/" + group.Slug + "?" + next.Encode() + "#posts"
	}
	if c.Query("before") != "" {
		newest = "/groups/" + group.Slug + "#posts"
		if tag != "" {
			newest = "/groups/" + group.Slug + "?" + listing.Encode() + "#posts"
		}
	}
	view := map[string]any{
		"OlderPath": older, "NewestPath": newest, "Tag": tag, "AllPostsPath": "/groups/" + group.Slug + "#posts",
		"OGTitle": group.Name + " (" + p.iris.GroupHandle(group.Slug) + ")", "OGDescription": groupDescription(group),
		"OGURL": actorURL, "TwitterCard": "summary",
		"OrganisationName": group.OrganisationName, "OrganisationPath": OrganisationPath(group.OrganisationSlug),
		"Events": events, "CalendarPath": calendar, "FeedRSS": feedRSS, "FeedAtom": feedAtom,
		"Name": group.Name, "Handle": p.iris.GroupHandle(group.Slug), "ActorURL": actorURL,
		"Followers": followers, "ApproveFollowers": group.ApproveFollowers,
		"Summary":    template.HTML(textinput.TextToHTML(group.Summary)), // escaped by TextToHTML
		"Rules":      group.Rules,
		"FollowPath": "/groups/" + group.Slug + "/follow",
		"Avatar":     picturePath(group.AvatarPath),
		"Header":     picturePath(group.HeaderPath),
		"Pinned":     p.pagePosts(group, posts.Pinned, posts.Parts, true),
		"Recent":     p.pagePosts(group, posts.Recent, posts.Parts, false),
	}
	// Link previews show the group's header, or else its avatar.
	if group.HeaderPath != "" {
		view["OGImage"], view["TwitterCard"] = p.iris.Base()+picturePath(group.HeaderPath), "summary_large_image"
	} else if group.AvatarPath != "" {
		view["OGImage"] = p.iris.Base() + picturePath(group.AvatarPath)
	}
	var out bytes.Buffer
	err = groupPageTemplate.Execute(&out, view)
	if err != nil {
		refusal.Respond(c, http.StatusInternalServerError, "internal error")
		return
	}
	// The follow form is sent here and answered with a redirect to the visitor's own server, which
	// browsers check against form-action too (Chromium blocks it under 'self' alone): https: lets
	// that redirect through, and the page has no other forms and no scripts to add one.
	c.Header("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; form-action 'self' https:")
	sendCached(c, "text/html; charset=utf-8", groupPageMaxAge, out.Bytes(), pageModified(group, posts))
}

// groupPageMaxAge is how long browsers and caches may keep a group's page before asking again
// (with If-None-Match, answered 304 while the page is the same).
const groupPageMaxAge = "public, max-age=60"

// pageModified is when what the page shows last changed, as far as the stored times tell: the
// group's settings and the posts listed. Member and event counts have no time of their own, so a
// client sending If-None-Match (browsers send both) is answered by the ETag, the page's own hash.
func pageModified(group store.GroupInOrganisation, posts store.GroupPagePosts) time.Time {
	modified := group.UpdatedAt
	for _, list := range [][]store.AuthoredPost{posts.Pinned, posts.Recent} {
		for _, post := range list {
			for _, t := range []*time.Time{&post.PublishedAt, post.EditedAt, post.PinnedAt} {
				if t != nil && t.After(modified) {
					modified = *t
				}
			}
		}
	}
	return modified
}

// groupDescription is the line link previews show for a group: its summary as plain text.
func groupDescription(group store.GroupInOrganisation) string {
	text := textinput.PlainText(textinput.TextToHTML(group.Summary))
	if text == "" {
		return "A group on the fediverse: follow it from Mastodon or any other app."
	}
	return textinput.Excerpt(text, 200)
}

// picturePath is where a group's picture is served on this origin; empty when it has none.
func picturePath(name string) string {
	if name == "" {
		return ""
	}
	return groups.MediaURLPath + name
}

// serverName is what a visitor may type as their server: a host name, optionally with a port.
var serverName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+(:[0-9]{1,5})?$`)

// remoteFollow sends the visitor to their server's authorize_interaction page for this group, the
// way Mastodon's remote follow works. Only a bare domain is accepted and only https://{domain}/...
// is redirected to, so the form cannot be used as an open redirect.
func (p *GroupPages) remoteFollow(c *gin.Context) {
	server := strings.ToLower(strings.TrimSpace(c.Query("server")))
	server = strings.TrimPrefix(server, "@")
	if _, domain, isHandle := strings.Cut(server, "@"); isHandle {
		server = domain // someone typed their whole handle
	}
	if !serverName.MatchString(server) {
		refusal.Refuse(c, http.StatusBadRequest, "type your server's domain, such as mastodon.social")
		return
	}
	handle := strings.TrimPrefix(p.iris.GroupHandle(c.Param("slug")), "@")
	target := url.URL{Scheme: "https", Host: server, Path: "/authorize_interaction", RawQuery: url.Values{"uri": {"acct:" + handle}}.Encode()}
	c.Redirect(http.StatusSeeOther, target.String())
}
