package admin

import (
	"context"
	"errors"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/access"
	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/reports"
	"github.com/kring-social/kring/app/store"
)

// reportsLimit bounds the queue page; the oldest reports come first, so none is forgotten.
const reportsLimit = 100

// reportStatuses are the queue's tabs, in order.
var reportStatuses = []struct {
	Status model.ReportStatus
	Label  string
}{{model.ReportOpen, "Open"}, {model.ReportResolved, "Resolved"}, {model.ReportDismissed, "Dismissed"}}

// reportsPage is the queue of reports the staff member may see, in one status, maybe of one group,
// with the form to file a report.
type reportsPage struct {
	Status  model.ReportStatus
	Tabs    []reportTab
	Group   string // the group filtered on, by slug; "" for all
	Groups  []store.GroupInOrganisation
	Reports []reportRow
	Limit   int
}

type reportTab struct {
	Status  model.ReportStatus
	Label   string
	Current bool
}

// reportRow is a report as the queue lists it: the reason cut to a line's worth.
type reportRow struct {
	store.ReportListing
	Excerpt string
}

const excerptLength = 140

func (a *Admin) mountReports(r gin.IRouter) {
	r.GET("/reports", a.reports)
	r.POST("/reports", a.fileReport)
	r.GET("/reports/:id", a.reportPage)
	for _, action := range reportActions {
		r.POST("/reports/:id/"+action.path, a.reportAction(action))
	}
}

func (a *Admin) reports(c *gin.Context) {
	ctx := c.Request.Context()
	p := principalOf(c)
	status := model.ReportStatus(c.DefaultQuery("status", string(model.ReportOpen)))
	page := reportsPage{Status: status, Group: c.Query("group"), Limit: reportsLimit}
	known := false
	for _, s := range reportStatuses {
		page.Tabs = append(page.Tabs, reportTab{Status: s.Status, Label: s.Label, Current: s.Status == status})
		known = known || s.Status == status
	}
	if !known {
		a.fail(c, apperror.Invalid("status", "must be open, resolved or dismissed (got %q)", string(status)))
		return
	}
	scope, groups, err := a.reportScope(ctx, p)
	if err != nil {
		a.fail(c, err)
		return
	}
	page.Groups = groups
	filter := store.ReportFilter{Scope: scope, Status: status, Limit: reportsLimit}
	if page.Group != "" {
		group, err := a.moderatedGroup(ctx, p, page.Group)
		if err != nil {
			a.fail(c, err)
			return
		}
		filter.GroupID = group.ID
	}
	listed, err := a.cfg.Reports.List(ctx, filter)
	if err != nil {
		a.fail(c, err)
		return
	}
	for _, r := range listed {
		page.Reports = append(page.Reports, reportRow{ReportListing: r, Excerpt: excerpt(r.Content, excerptLength)})
	}
	a.render(c, "reports.html", "Reports", page)
}

// reportScope is what reports the principal sees: every organisation's they manage, and the groups
// they moderate in others. It returns the groups they moderate, for the page's forms.
func (a *Admin) reportScope(ctx context.Context, p access.Principal) (store.ReportScope, []store.GroupInOrganisation, error) {
	groups, err := a.visibleGroups(ctx, p)
	if err != nil {
		return store.ReportScope{}, nil, err
	}
	scope := store.ReportScope{All: p.InstanceAdmin()}
	for _, id := range p.OrganisationIDs() {
		if p.ManagesOrganisation(id) {
			scope.OrganisationIDs = append(scope.OrganisationIDs, id)
		}
	}
	for _, g := range groups {
		if !p.ManagesOrganisation(g.OrganisationID) {
			scope.GroupIDs = append(scope.GroupIDs, g.ID)
		}
	}
	return scope, groups, nil
}

// moderatedGroup loads a group by slug and checks the principal moderates it.
func (a *Admin) moderatedGroup(ctx context.Context, p access.Principal, slug string) (model.Group, error) {
	group, err := a.cfg.Store.GroupBySlug(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return model.Group{}, apperror.NotFound("group %q not found", slug)
	}
	if err != nil {
		return model.Group{}, err
	}
	return group.Group, access.Require(p.Moderates(group.Group))
}

// fileReport files a staff member's report about an account or posts of one of their groups.
func (a *Admin) fileReport(c *gin.Context) {
	ctx := c.Request.Context()
	group, err := a.moderatedGroup(ctx, principalOf(c), c.PostForm("group"))
	if err != nil {
		a.fail(c, err)
		return
	}
	report, err := a.cfg.Reports.File(ctx, reports.StaffReport{Group: group, StaffID: sessionOf(c).Account.ID,
		AccountIRI: c.PostForm("account"), PostIRIs: strings.Split(c.PostForm("posts"), "\n"), Note: c.PostForm("note")})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, reportURL(report.ID), "Report filed.")
}

func reportURL(id string) string { return "/admin/reports/" + id }

// excerpt cuts text to about n characters, on one line.
func excerpt(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if runes := []rune(text); len(runes) > n {
		return string(runes[:n]) + "…"
	}
	return text
}
