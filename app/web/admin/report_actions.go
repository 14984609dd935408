package admin

import (
	"fmt"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/moderation"
)

// reportAction is one thing a moderator does from a report's page; each returns to it with a notice.
type reportAction struct {
	path string
	run  func(a *Admin, c *gin.Context, report model.Report, group *model.Group) (notice string, err error)
}

var reportActions = []reportAction{
	{"assign", func(a *Admin, c *gin.Context, report model.Report, _ *model.Group) (string, error) {
		if c.PostForm("to") == "nobody" {
			return "Unassigned.", a.cfg.Reports.Assign(c.Request.Context(), report.ID, nil)
		}
		return "Assigned to you.", a.cfg.Reports.Assign(c.Request.Context(), report.ID, staffID(c))
	}},
	{"notes", func(a *Admin, c *gin.Context, report model.Report, _ *model.Group) (string, error) {
		return "Note added.", a.cfg.Reports.AddNote(c.Request.Context(), report.ID, *staffID(c), c.PostForm("note"))
	}},
	{"status", func(a *Admin, c *gin.Context, report model.Report, _ *model.Group) (string, error) {
		status := model.ReportStatus(c.PostForm("status"))
		return "The report is " + string(status) + ".",
			a.cfg.Reports.SetStatus(c.Request.Context(), report.ID, *staffID(c), status, c.PostForm("reason"))
	}},
	{"forward", func(a *Admin, c *gin.Context, report model.Report, _ *model.Group) (string, error) {
		return "Forwarded: a report is on its way to the account's server.",
			a.cfg.Reports.Forward(c.Request.Context(), report.ID, *staffID(c), c.PostForm("comment"))
	}},
	{"remove", removeReportedPost},
	{"ban", banReportedAccount},
}

func (a *Admin) reportAction(action reportAction) gin.HandlerFunc {
	return func(c *gin.Context) {
		report, group, ok := a.reportToModerate(c)
		if !ok {
			return
		}
		notice, err := action.run(a, c, report, group)
		if err != nil {
			a.fail(c, err)
			return
		}
		a.done(c, reportURL(report.ID), notice)
	}
}

// removeReportedPost removes one of the report's posts from its group, as the posts page does.
func removeReportedPost(a *Admin, c *gin.Context, report model.Report, _ *model.Group) (string, error) {
	reason, err := reasonOf(c, true)
	if err != nil {
		return "", err
	}
	ctx := c.Request.Context()
	post, err := a.cfg.Reports.ReportedPost(ctx, report, c.PostForm("post"))
	if err != nil {
		return "", err
	}
	_, err = a.cfg.Conversations.Remove(ctx, post.ID, staffID(c), reason)
	return "Removed: members' servers are told to drop the group's share of it.", err
}

// banReportedAccount bans the report's account from its group, as the members page does.
func banReportedAccount(a *Admin, c *gin.Context, report model.Report, group *model.Group) (string, error) {
	if a.cfg.Members == nil || group == nil || report.TargetActorID == nil {
		return "", apperror.Invalid("report", "there is no account of a group to ban")
	}
	reason, err := reasonOf(c, true)
	if err != nil {
		return "", err
	}
	ctx := c.Request.Context()
	target, err := a.cfg.Store.RemoteActorByID(ctx, *report.TargetActorID)
	if err != nil {
		return "", err
	}
	result, err := a.cfg.Members.Ban(ctx, moderation.MemberDecision{Group: *group, ActorIRI: target.IRI, StaffID: staffID(c), Reason: reason},
		c.PostForm("remove_posts") != "")
	return fmt.Sprintf("Banned: a Block is on its way; %d of their posts removed.", result.RemovedPosts), err
}
