package web

import (
	"html/template"
	"net/url"
	"time"

	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// pagePost is one post as the group's page shows it.
type pagePost struct {
	Author    string
	Handle    string // shown beside a display name; '' when Author is the handle already
	Link      string // the post on its author's server; '' for the group's own posts
	Published time.Time
	Summary   string // the content warning: the content is folded behind it (its pictures too)
	Content   template.HTML
	Language  string // the post's lang attribute; '' when not said
	Images    []pageImage
	Likes     int
	Pinned    bool
}

// pageImage is one picture of a post, with its alt text.
type pageImage struct {
	URL           string
	Alt           string
	Width, Height int
}

// pagePosts turns stored posts into what the page shows; parts holds their pictures by post id.
func (p *GroupPages) pagePosts(group store.GroupInOrganisation, posts []store.AuthoredPost, parts map[string]model.PostParts, pinned bool) []pagePost {
	shown := make([]pagePost, 0, len(posts))
	for _, post := range posts {
		view := pagePost{Published: post.PublishedAt.UTC(), Summary: post.Summary, Likes: post.LikeCount, Pinned: pinned,
			// Sanitised when stored: bluemonday for members' posts, PostToHTML for the group's own.
			Content: template.HTML(post.ContentHTML), Language: post.Language}
		for _, m := range parts[post.ID].Media {
			view.Images = append(view.Images, pageImage{URL: groups.MediaURLPath + m.Name, Alt: m.Alt, Width: m.Width, Height: m.Height})
		}
		if post.AuthorKind == model.AuthorGroup {
			view.Author = group.Name
		} else {
			handle := "@" + post.AuthorUsername + "@" + post.AuthorHost
			view.Author, view.Handle = post.AuthorName, handle
			if view.Author == "" {
				view.Author, view.Handle = handle, ""
			}
			view.Link = webLink(post.URL, post.ObjectIRI)
		}
		shown = append(shown, view)
	}
	return shown
}

// webLink is the first of candidates that is an http(s) URL: a remote server chose them, and a
// page must not link to javascript: or data: (html/template would defuse them, but into a dead link).
func webLink(candidates ...string) string {
	for _, candidate := range candidates {
		u, err := url.Parse(candidate)
		if err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
			return u.String()
		}
	}
	return ""
}
