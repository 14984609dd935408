package admin

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/access"
	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

func (a *Admin) mountOrganisationAnalytics(r gin.IRouter) {
	r.GET("/analytics", a.firstOrganisationAnalytics)
	r.GET("/organisations/:slug/analytics", a.organisationAnalytics)
	r.GET("/organisations/:slug/analytics.csv", a.organisationAnalyticsCSV)
}

// errNoAnalytics: the reader manages no organisation, so has no organisation-wide figures to see
// (a group's moderator reads the group's Analytics tab).
var errNoAnalytics = apperror.Forbidden("you manage no organisation; your groups' figures are on their Analytics tabs")

// organisationAnalyticsPage is an organisation's reach and engagement over a period: its groups'
// figures summed per day, each group's over the period, and its most engaging posts.
type organisationAnalyticsPage struct {
	Org      model.Organisation
	Nav      outreachLinks
	Days     int
	Periods  []int
	From, To string
	CSV      string // the address of the charts' CSV files
	Figures  figureTables
	Groups   []groupPeriod
	Top      []organisationTopPost
	Reach    reachFigures
	Mentions []organisationMention // the newest, of any of its groups
}

// newestMentionsShown is how many of the newest mentions of its groups the organisation's page
// lists: enough to see whether someone is waiting for an answer; each group's Mentions tab has all.
const newestMentionsShown = 10

// organisationMention is a mention of one of the organisation's groups, with the group.
type organisationMention struct {
	listedMention
	Group store.GroupInOrganisation
}

// organisationReach is the reach of every group of the organisation, as its page shows it.
func organisationReach(organisationID string) reachOf {
	return reachOf{store.OfOrganisation(organisationID), "the organisation's groups"}
}

// groupPeriod is one group's row of the organisation's per-group table.
type groupPeriod struct {
	Group   store.GroupInOrganisation
	Members int64 // now, not at the period's end: the rollups keep flows, not the count
	store.GroupDay
}

// Posts are the posts the group published or shared over the period.
func (g groupPeriod) Posts() int64 { return g.GroupPosts + g.PostsShared }

// organisationTopPost is a top post with the group it was published in.
type organisationTopPost struct {
	topPost
	Group store.GroupInOrganisation
}

// firstOrganisationAnalytics sends the navigation's link on to the first organisation the reader
// manages; the page switches between them.
func (a *Admin) firstOrganisationAnalytics(c *gin.Context) {
	orgs, err := a.managedScopes(c.Request.Context(), principalOf(c), false)
	if err == nil && len(orgs) == 0 {
		err = errNoAnalytics
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, organisationURL(orgs[0].Slug, "analytics"))
}

// analyticsOrganisation loads the organisation the path names when the reader manages it (its
// owners and admins, and the instance admin): the figures of every group are the managers' to read,
// not a moderator's of one of them. It also returns the organisations the reader manages, for the
// page's switcher. When it fails it has answered (404 for no such organisation, else 403).
func (a *Admin) analyticsOrganisation(c *gin.Context) (model.Organisation, []orgScope, bool) {
	ctx := c.Request.Context()
	org, err := a.cfg.Store.OrganisationBySlug(ctx, c.Param("slug"))
	if errors.Is(err, store.ErrNotFound) {
		err = apperror.NotFound("no organisation %q", c.Param("slug"))
	}
	if err == nil {
		err = access.Require(principalOf(c).ManagesOrganisation(org.ID))
	}
	var managed []orgScope
	if err == nil {
		managed, err = a.managedScopes(ctx, principalOf(c), false)
	}
	if err != nil {
		a.fail(c, err)
		return model.Organisation{}, nil, false
	}
	for i := range managed {
		managed[i].Current = managed[i].ID == org.ID
	}
	return org, managed, true
}

// organisationFigures is what both the page and the CSVs read: the organisation, the period asked
// for, and its figures.
type organisationFigures struct {
	Org     model.Organisation
	Managed []orgScope // the organisations the reader manages, this one marked
	Days    int
	Period  []string
	Figures figureTables
	ByGroup map[string]store.GroupDay // each group's figures over the period, by group id
}

// organisationFiguresOf checks the reader may read the path's organisation, reads ?days= and loads
// the organisation's rollups of the period. When it fails it has answered.
func (a *Admin) organisationFiguresOf(c *gin.Context) (organisationFigures, bool) {
	var f organisationFigures
	var ok bool
	if f.Org, f.Managed, ok = a.analyticsOrganisation(c); !ok {
		return f, false
	}
	if f.Days, f.Period, ok = a.requestedPeriod(c); !ok {
		return f, false
	}
	ctx, from, through := c.Request.Context(), f.Period[0], f.Period[len(f.Period)-1]
	read, err := a.cfg.Store.OrganisationDays(ctx, f.Org.ID, from, through)
	if err != nil {
		a.fail(c, err)
		return f, false
	}
	// The reports are the organisation's own rollup's, not its groups' summed: it also counts the
	// reports about no group and those of groups since deleted.
	reports, err := a.cfg.Store.OrganisationReportDays(ctx, f.Org.ID, from, through)
	if err != nil {
		a.fail(c, err)
		return f, false
	}
	for day, r := range reports {
		d := read.ByDay[day]
		d.ReportsReceived, d.ReportsResolved, d.ReportsDismissed = r.ReportsReceived, r.ReportsResolved, r.ReportsDismissed
		read.ByDay[day] = d
	}
	f.Figures, f.ByGroup = layOutFigures(f.Period, read.ByDay), read.ByGroup
	return f, true
}

// organisationAnalytics shows the organisation's figures over ?days= (7, 30 or 90): members joined
// and left, deliveries, likes, boosts and replies, mentions by non-members and community health
// summed over its groups per day, each as a chart with its table; a row per group for the period;
// the posts that drew the most; the newest mentions; and its reach (posts' deliveries, servers
// reached, members by server and software). It reads the rollups, a fixed number of queries however
// many groups and days.
func (a *Admin) organisationAnalytics(c *gin.Context) {
	f, ok := a.organisationFiguresOf(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	groups, err := a.cfg.Store.ListGroups(ctx, f.Org.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	page := organisationAnalyticsPage{Org: f.Org, Days: f.Days, Periods: analyticsPeriods, From: f.Period[0], To: f.Period[len(f.Period)-1],
		CSV: organisationURL(f.Org.Slug, "analytics.csv"), Figures: f.Figures,
		Nav: outreachLinks{Pages: outreachPages(f.Org.Slug, "analytics", true), Orgs: organisationSwitcher(f.Managed, "analytics")}}
	if page.Groups, err = a.groupPeriods(ctx, groups, f.ByGroup); err != nil {
		a.fail(c, err)
		return
	}
	ranked, err := a.cfg.Store.TopPostsOfOrganisation(ctx, f.Org.ID, page.From, page.To, topPostsShown)
	if err != nil {
		a.fail(c, err)
		return
	}
	byID := make(map[string]store.GroupInOrganisation, len(groups))
	for _, g := range groups {
		byID[g.ID] = g
	}
	for _, p := range ranked {
		page.Top = append(page.Top, organisationTopPost{topPost: topPostOf(p), Group: byID[p.GroupID]})
	}
	if page.Reach, err = a.loadReach(ctx, organisationReach(f.Org.ID), f.Period); err != nil {
		a.fail(c, err)
		return
	}
	mentions, err := a.cfg.Store.NewestMentionsOfOrganisation(ctx, f.Org.ID, newestMentionsShown)
	if err != nil {
		a.fail(c, err)
		return
	}
	for _, m := range mentions {
		page.Mentions = append(page.Mentions, organisationMention{listedMention: listedMentionOf(m), Group: byID[m.GroupID]})
	}
	a.render(c, "organisation_analytics.html", "Analytics: "+f.Org.Name, page)
}

// organisationAnalyticsCSV exports one chart's table of the organisation (?chart=, ?days= as the
// page), equal to the table the page shows.
func (a *Admin) organisationAnalyticsCSV(c *gin.Context) {
	if f, ok := a.organisationFiguresOf(c); ok {
		a.writeFiguresCSV(c, f.Org.Slug, f.Days, f.Figures, func() (reachFigures, error) {
			return a.loadReach(c.Request.Context(), organisationReach(f.Org.ID), f.Period)
		})
	}
}

// groupPeriods makes the per-group table: every group of the organisation (archived ones too: their
// history counts), in ListGroups' order, with its members now, counted in one query for all.
func (a *Admin) groupPeriods(ctx context.Context, groups []store.GroupInOrganisation, byGroup map[string]store.GroupDay) ([]groupPeriod, error) {
	ids := make([]string, len(groups))
	for i, g := range groups {
		ids[i] = g.ID
	}
	members, err := a.cfg.Store.CountMembersOfGroups(ctx, ids)
	if err != nil {
		return nil, err
	}
	rows := make([]groupPeriod, len(groups))
	for i, g := range groups {
		rows[i] = groupPeriod{Group: g, Members: members[g.ID], GroupDay: byGroup[g.ID]}
	}
	return rows, nil
}
