package admin

import (
	"errors"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/access"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/reports"
	"github.com/kring-social/kring/app/store"
)

// reportView is one report's page.
type reportView struct {
	reports.Details
	// AssignedToMe says the logged-in staff member looks into it.
	AssignedToMe bool
	// CanBan offers the ban: there is an account, a group and a ban service. Banned says the account
	// is banned from the group already.
	CanBan, Banned bool
}

// reportToModerate loads the report the path names and checks the staff member may handle it: a
// moderator of its group, or a manager of its organisation (the only ones who see a report whose
// group is gone). When not, it has answered (404, 403) and returns false.
func (a *Admin) reportToModerate(c *gin.Context) (model.Report, *model.Group, bool) {
	ctx := c.Request.Context()
	report, err := a.cfg.Reports.Report(ctx, c.Param("id"))
	var group *model.Group
	if err == nil && report.GroupID != nil {
		var g model.Group
		if g, err = a.cfg.Store.GroupByID(ctx, *report.GroupID); err == nil {
			group = &g
		}
	}
	if err == nil {
		err = access.Require(mayHandleReport(principalOf(c), report, group))
	}
	if err != nil {
		a.fail(c, err)
		return report, nil, false
	}
	return report, group, true
}

func mayHandleReport(p access.Principal, report model.Report, group *model.Group) bool {
	if group != nil {
		return p.Moderates(*group)
	}
	return p.ManagesOrganisation(report.OrganisationID)
}

func (a *Admin) reportPage(c *gin.Context) {
	report, group, ok := a.reportToModerate(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	details, err := a.cfg.Reports.Details(ctx, report.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	view := reportView{Details: details, AssignedToMe: report.AssigneeStaffID != nil && *report.AssigneeStaffID == sessionOf(c).Account.ID}
	if details.Target != nil && group != nil && a.cfg.Members != nil {
		view.CanBan = true
		_, err := a.cfg.Store.GroupBanOf(ctx, group.ID, details.Target.ID)
		switch {
		case err == nil:
			view.Banned = true
		case !errors.Is(err, store.ErrNotFound):
			a.fail(c, err)
			return
		}
	}
	a.render(c, "report.html", "Report", view)
}
