package admin

import (
	"context"
	"errors"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/access"
	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// maxReasonLength bounds a moderator's reason: it is sent to the author with a declined post.
const maxReasonLength = 500

// groupToModerate loads the group the path names and checks that the logged-in staff member
// moderates it. When not, it has answered (404, 403) and returns false.
func (a *Admin) groupToModerate(c *gin.Context) (store.GroupInOrganisation, bool) {
	slug := c.Param("slug")
	group, err := a.cfg.Store.GroupBySlug(c.Request.Context(), slug)
	if errors.Is(err, store.ErrNotFound) {
		err = apperror.NotFound("group %q not found", slug)
	}
	if err == nil {
		err = access.Require(principalOf(c).Moderates(group.Group))
	}
	if err != nil {
		a.fail(c, err)
		return group, false
	}
	return group, true
}

// postToModerate loads the group and the post the path names. A post of another group is not found:
// a moderator of one group must not reach another group's posts through their own group's URLs.
func (a *Admin) postToModerate(c *gin.Context) (store.GroupInOrganisation, model.Post, bool) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return group, model.Post{}, false
	}
	post, err := a.cfg.Store.PostByID(c.Request.Context(), c.Param("id"))
	if err == nil && post.GroupID != group.ID {
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) {
		err = apperror.NotFound("post not found in group %q", group.Slug)
	}
	if err != nil {
		a.fail(c, err)
		return group, post, false
	}
	return group, post, true
}

// staffID is the logged-in staff member's id, for the moderation log.
func staffID(c *gin.Context) *string {
	id := sessionOf(c).Account.ID
	return &id
}

// reasonOf reads the form's reason: one checked text, required when the action needs one.
func reasonOf(c *gin.Context, required bool) (string, error) {
	reason, err := textinput.Text("reason", c.PostForm("reason"), maxReasonLength)
	if err == nil && required && reason == "" {
		err = apperror.Invalid("reason", "must not be empty")
	}
	return reason, err
}

// reasonRule says what a decision needs of the form's reason.
type reasonRule int

const (
	reasonUnused reasonRule = iota
	reasonOptional
	reasonRequired
)

// postDecision is a moderator's decision on one post, as the conversations service takes it.
type postDecision func(ctx context.Context, postID string, staffID *string, reason string) (model.Post, error)

// decide runs decision on the post the path names, with the form's reason, in the logged-in staff
// member's name, and sends the browser back to the group's page under back with notice.
func (a *Admin) decide(c *gin.Context, decision postDecision, rule reasonRule, back, notice string) {
	group, post, ok := a.postToModerate(c)
	if !ok {
		return
	}
	var reason string
	var err error
	if rule != reasonUnused {
		reason, err = reasonOf(c, rule == reasonRequired)
	}
	if err == nil {
		_, err = decision(c.Request.Context(), post.ID, staffID(c), reason)
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, "/admin/groups/"+group.Slug+back, notice)
}

// postRow is a post as the admin lists it, with its remote author (nil for the group's own posts)
// and, for held posts, why it waits.
type postRow struct {
	model.Post
	Author      *model.RemoteActor
	HeldBecause []string
	// PublishedIn names the groups that published the post together, when staff wrote it for
	// several at once.
	PublishedIn []string
	// KeptBy says which page keeps the post in step when Kring writes it itself (the rules post,
	// the introductions prompt): it is changed there, not edited or deleted here.
	KeptBy, KeptAt string
}

// postRows loads the authors of posts, all in one query; rows by one author share it.
func (a *Admin) postRows(ctx context.Context, posts []model.Post) ([]postRow, error) {
	var ids []string
	for _, post := range posts {
		if post.AuthorActorID != nil {
			ids = append(ids, *post.AuthorActorID)
		}
	}
	actors, err := a.cfg.Store.RemoteActorsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	authors := make(map[string]*model.RemoteActor, len(actors))
	for id, actor := range actors {
		authors[id] = &actor
	}
	var publications []string
	for _, post := range posts {
		if post.PublicationID != nil {
			publications = append(publications, *post.PublicationID)
		}
	}
	together, err := a.cfg.Store.GroupsOfPublications(ctx, publications)
	if err != nil {
		return nil, err
	}
	rows := make([]postRow, len(posts))
	for i, post := range posts {
		rows[i].Post = post
		if post.AuthorActorID != nil {
			rows[i].Author = authors[*post.AuthorActorID]
		}
		if post.PublicationID != nil {
			rows[i].PublishedIn = together[*post.PublicationID]
		}
	}
	return rows, nil
}
