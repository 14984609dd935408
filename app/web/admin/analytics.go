package admin

import (
	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

func (a *Admin) mountAnalytics(r gin.IRouter) {
	r.GET("/groups/:slug/analytics", a.analytics)
	r.GET("/groups/:slug/analytics.csv", a.analyticsCSV)
}

// analyticsPage is a group's reach and engagement over a period.
type analyticsPage struct {
	Group    store.GroupInOrganisation
	Days     int
	Periods  []int
	From, To string
	Figures  figureTables
	Top      []topPost
	Reach    reachFigures
}

// topPost is a post among the period's most engaging, with a short text to recognise it by.
type topPost struct {
	store.PostEngagement
	Excerpt string
}

// analytics shows what the group's work achieved over the period: members joined and left,
// deliveries, likes, boosts and replies per day, each as a chart with its table, and the posts
// that drew the most. It reads the daily rollups only (kept as events arrive), never the raw rows.
// The group's moderators and the organisation's managers may see it.
func (a *Admin) analytics(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	days, period, ok := a.requestedPeriod(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	figures, err := a.loadFigures(ctx, group.ID, period)
	if err != nil {
		a.fail(c, err)
		return
	}
	ranked, err := a.cfg.Store.TopPosts(ctx, group.ID, period[0], period[len(period)-1], topPostsShown)
	if err != nil {
		a.fail(c, err)
		return
	}
	page := analyticsPage{Group: group, Days: days, Periods: analyticsPeriods, From: period[0], To: period[len(period)-1], Figures: figures}
	if page.Reach, err = a.loadReach(ctx, groupReach(group.ID), period); err != nil {
		a.fail(c, err)
		return
	}
	for _, p := range ranked {
		page.Top = append(page.Top, topPostOf(p))
	}
	a.render(c, "analytics.html", "Analytics: "+group.Name, page)
}

// topPostOf is a ranked post with a short plain text to recognise it by.
func topPostOf(p store.PostEngagement) topPost {
	return topPost{PostEngagement: p, Excerpt: excerpt(textinput.PlainText(p.ContentHTML), 120)}
}
