package admin

import (
	"net/url"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/campaigns"
	"github.com/kring-social/kring/app/model"
)

// calendarPage is one month or week of an organisation's outreach calendar.
type calendarPage struct {
	Outreach outreach
	campaigns.Calendar
	// Weeks are the days in rows of seven, Monday first (a week view is one row).
	Weeks [][]campaigns.Day
	// View, Zone and CampaignID are what the page was asked for, to keep in its links and form.
	View       campaigns.View
	Zone       string
	CampaignID string
	Campaign   *model.Campaign // the campaign filtered on
	Campaigns  []model.Campaign
	Zones      []string
	// Links to the period before and after, to today, and to the month or week of the same day.
	Previous, Next, Today, Month, Week string
}

func (a *Admin) mountCalendar(r gin.IRouter) {
	r.GET("/calendar", a.firstOrganisationOutreach("calendar"))
	r.GET("/organisations/:slug/calendar", a.calendar)
}

// calendar shows the organisation's outreach in ?view=month|week around ?date=YYYY-MM-DD, in the
// zone ?zone= (UTC unless asked: the reader's zone is not known without JavaScript, and one fixed
// default keeps links meaning the same for everyone), of one campaign when ?campaign= names it.
func (a *Admin) calendar(c *gin.Context) {
	o, ok := a.outreachOf(c)
	if !ok {
		return
	}
	query := map[string]string{}
	for _, field := range []string{"view", "date", "zone", "campaign"} {
		value, err := oneValue(field, c.QueryArray(field))
		if err != nil {
			a.fail(c, err)
			return
		}
		query[field] = value
	}
	ctx := c.Request.Context()
	period, err := campaigns.PeriodOf(query["view"], query["date"], query["zone"], time.Now())
	if err != nil {
		a.fail(c, err)
		return
	}
	cal, err := a.cfg.Campaigns.Calendar(ctx, o.scope(query["campaign"]), period)
	if err != nil {
		a.fail(c, err)
		return
	}
	list, err := a.cfg.Store.CampaignsOf(ctx, o.Org.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	page := calendarPage{Outreach: o, Calendar: cal, View: period.View, Zone: period.Zone.String(), CampaignID: query["campaign"],
		Campaigns: list}
	page.Zones = zoneChoices(page.Zone)
	for i := range list {
		if list[i].ID == page.CampaignID {
			page.Campaign = &list[i]
		}
	}
	for week := range slices.Chunk(cal.Days, 7) {
		page.Weeks = append(page.Weeks, week)
	}
	link := func(view campaigns.View, day time.Time) string {
		return calendarURL(o.Org.Slug, view, day, page.Zone, page.CampaignID)
	}
	page.Previous, page.Next = link(period.View, period.Previous()), link(period.View, period.Next())
	page.Today = calendarURL(o.Org.Slug, period.View, time.Time{}, page.Zone, page.CampaignID)
	page.Month, page.Week = link(campaigns.MonthView, period.Anchor), link(campaigns.WeekView, period.Anchor)
	title := "Calendar of " + o.Org.Name
	a.render(c, "calendar.html", title, page)
}

// calendarURL is the calendar of the organisation in the view around day (today when zero), in zone,
// of the campaign (all when empty).
func calendarURL(slug string, view campaigns.View, day time.Time, zone, campaignID string) string {
	q := url.Values{"view": {string(view)}, "zone": {zone}}
	if !day.IsZero() {
		q.Set("date", day.Format(time.DateOnly))
	}
	if campaignID != "" {
		q.Set("campaign", campaignID)
	}
	return organisationURL(slug, "calendar") + "?" + q.Encode()
}
