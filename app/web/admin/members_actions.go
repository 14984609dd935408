package admin

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/moderation"
	"github.com/kring-social/kring/app/store"
)

// memberActionKind is one decision about a member that asks for confirmation and a reason on a page
// of its own (remove, ban, unban), since each tells the member's server and cannot be taken back
// silently.
type memberActionKind struct {
	path, Title, Button, Explain string
	// Ban shows the "also remove their posts" choice.
	Ban            bool
	ReasonRequired bool
	// back is the list the moderator returns to.
	back string
	run  func(a *Admin, c *gin.Context, d moderation.MemberDecision) (notice string, err error)
}

var memberActions = []memberActionKind{
	{path: "remove", Title: "Remove a member", Button: "Remove from the group", back: string(model.FollowAccepted),
		Explain: "Their follow ends and their server is told (a Reject of their follow). They are not banned: they may follow again.",
		run: func(a *Admin, c *gin.Context, d moderation.MemberDecision) (string, error) {
			return "Removed: their server is told.", a.cfg.Members.Remove(c.Request.Context(), d)
		}},
	{path: "ban", Title: "Ban from the group", Button: "Ban", Ban: true, ReasonRequired: true, back: store.MemberBanned,
		Explain: "Their follow ends, the group sends their server a Block, and they can no longer follow or post here until unbanned.",
		run: func(a *Admin, c *gin.Context, d moderation.MemberDecision) (string, error) {
			result, err := a.cfg.Members.Ban(c.Request.Context(), d, c.PostForm("remove_posts") != "")
			return fmt.Sprintf("Banned: a Block is on its way; %d of their posts removed.", result.RemovedPosts), err
		}},
	{path: "unban", Title: "Lift a ban", Button: "Unban", back: store.MemberBanned,
		Explain: "The group withdraws its Block (an Undo is sent). They may then follow again; their removed posts stay removed.",
		run: func(a *Admin, c *gin.Context, d moderation.MemberDecision) (string, error) {
			return "Unbanned: the Block is withdrawn.", a.cfg.Members.Unban(c.Request.Context(), d)
		}},
}

// memberActionView is the confirmation page of one decision about one actor.
type memberActionView struct {
	Group        store.GroupInOrganisation
	Action       memberActionKind
	Path         string
	Actor        model.RemoteActor
	VisiblePosts int
	Ban          *model.GroupBan // the ban being lifted
}

func (a *Admin) memberActionPage(action memberActionKind) gin.HandlerFunc {
	return func(c *gin.Context) {
		group, ok := a.groupToModerate(c)
		if !ok {
			return
		}
		ctx := c.Request.Context()
		actor, err := a.cfg.Store.RemoteActorByIRI(ctx, c.Query("actor"))
		if errors.Is(err, store.ErrNotFound) {
			err = apperror.NotFound("Kring knows no actor %q", c.Query("actor"))
		}
		if err != nil {
			a.fail(c, err)
			return
		}
		view := memberActionView{Group: group, Action: action, Path: action.path, Actor: actor}
		posts, err := a.cfg.Store.VisiblePostsOfAuthor(ctx, group.ID, actor.ID)
		if err != nil {
			a.fail(c, err)
			return
		}
		view.VisiblePosts = len(posts)
		if action.path == "unban" {
			ban, err := a.cfg.Store.GroupBanOf(ctx, group.ID, actor.ID)
			if errors.Is(err, store.ErrNotFound) {
				err = apperror.NotFound("%s is not banned from %s", actor.IRI, group.Slug)
			}
			if err != nil {
				a.fail(c, err)
				return
			}
			view.Ban = &ban
		}
		a.render(c, "members_action.html", action.Title, view)
	}
}

func (a *Admin) memberAction(action memberActionKind) gin.HandlerFunc {
	return func(c *gin.Context) {
		group, ok := a.groupToModerate(c)
		if !ok {
			return
		}
		reason, err := reasonOf(c, action.ReasonRequired)
		if err != nil {
			a.fail(c, err)
			return
		}
		notice, err := action.run(a, c, moderation.MemberDecision{Group: group.Group, ActorIRI: c.PostForm("actor"),
			StaffID: staffID(c), Reason: reason})
		if err != nil {
			a.fail(c, err)
			return
		}
		a.done(c, membersURL(group.Slug, action.back), notice)
	}
}

// approveFollow and rejectFollow answer a follow request; membership tells the follower's server.
func (a *Admin) approveFollow(c *gin.Context) {
	a.settleFollow(c, a.cfg.Membership.Approve, "Approved: they are a member now, and their server is told.")
}

func (a *Admin) rejectFollow(c *gin.Context) {
	a.settleFollow(c, a.cfg.Membership.Reject, "Rejected: their server is told.")
}

func (a *Admin) settleFollow(c *gin.Context, settle func(ctx context.Context, groupSlug, actorIRI string, staffID *string) error, notice string) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	if err := settle(c.Request.Context(), group.Slug, c.PostForm("actor"), staffID(c)); err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, membersURL(group.Slug, string(model.FollowPending)), notice)
}

func membersURL(slug, state string) string {
	return "/admin/groups/" + url.PathEscape(slug) + "/members?state=" + url.QueryEscape(state)
}
