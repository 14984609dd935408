package admin

import (
	"errors"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// attentionPageSize is how many members one page of an attention list shows.
const attentionPageSize = 50

// The attention lists' windows: newcomers are those first seen this week; a member has gone quiet
// after QuietDays without taking part (30 unless the page asks for another number in range).
const (
	newcomerWindow   = 7 * 24 * time.Hour
	defaultQuietDays = 30
	minQuietDays     = 7
	maxQuietDays     = 365
)

// attentionLists are the Attention page's lists, in the order of its tabs.
var attentionLists = []struct {
	List  store.AttentionList
	Label string
}{
	{store.Newcomers, "Newcomers this week"},
	{store.GoneQuiet, "Gone quiet"},
	{store.MostActive, "Most active"},
}

// attentionTab is one list's tab.
type attentionTab struct {
	List    store.AttentionList
	Label   string
	Current bool
}

// attentionPage is one page of one attention list of a group.
type attentionPage struct {
	Group     store.GroupInOrganisation
	Tabs      []attentionTab
	List      store.AttentionList
	QuietDays int
	Members   []store.AttentionMember
	Next      string
	Paged     bool
}

func (a *Admin) mountAttention(r gin.IRouter) {
	r.GET("/groups/:slug/attention", a.attention)
	r.GET("/groups/:slug/members/:actor", a.memberPage)
}

// attention lists the members of a group who need attention: newcomers, members gone quiet and
// the most active, from the figures kept as activities arrive (nothing is recounted here).
func (a *Admin) attention(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	page := attentionPage{Group: group, List: store.AttentionList(c.DefaultQuery("list", string(store.Newcomers))),
		QuietDays: defaultQuietDays, Paged: c.Query("after") != ""}
	known := false
	for _, l := range attentionLists {
		page.Tabs = append(page.Tabs, attentionTab{List: l.List, Label: l.Label, Current: l.List == page.List})
		known = known || l.List == page.List
	}
	if !known {
		a.fail(c, apperror.Invalid("list", "must be new, quiet or active (got %q)", page.List))
		return
	}
	if days := c.Query("days"); days != "" {
		n, err := strconv.Atoi(days)
		if err != nil || n < minQuietDays || n > maxQuietDays {
			a.fail(c, apperror.Invalid("days", "must be a number of days from %d to %d (got %q)", minQuietDays, maxQuietDays, days))
			return
		}
		page.QuietDays = n
	}
	now := time.Now()
	query := store.AttentionQuery{GroupID: group.ID, List: page.List, After: c.Query("after"), Limit: attentionPageSize}
	switch page.List {
	case store.Newcomers:
		query.Since = now.Add(-newcomerWindow)
	case store.GoneQuiet:
		query.Since = now.AddDate(0, 0, -page.QuietDays)
	}
	result, err := a.cfg.Store.AttentionMembers(c.Request.Context(), query)
	if err != nil {
		a.fail(c, err)
		return
	}
	page.Members, page.Next = result.Members, result.Next
	a.render(c, "attention.html", "Attention: "+group.Name, page)
}

// memberHistoryPage is one member's story with a group.
type memberHistoryPage struct {
	Group         store.GroupInOrganisation
	Actor         model.RemoteActor
	Activity      *model.MemberActivity // nil: nothing of hers counted yet
	Follow        *model.Follow         // nil: she does not follow the group
	Ban           *model.GroupBan       // nil: not banned
	Conversations []model.SupportConversation
	Log           []store.ModerationLogEntry
	Reports       []store.ReportListing
}

// memberLogEntries and memberReports bound what the member page lists of her history.
const (
	memberLogEntries = 100
	memberReports    = 100
)

// memberPage shows a member's figures and history in a group: her activity, follow, ban, support
// conversations, the moderation log about her and the reports about her. An actor the group never
// saw is not found here, so one group's path shows nothing of another group's members.
func (a *Admin) memberPage(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	actorID := c.Param("actor")
	notFound := apperror.NotFound("member: no member %s in %s", actorID, group.Slug)
	page := memberHistoryPage{Group: group}
	var err error
	if page.Actor, err = a.cfg.Store.RemoteActorByID(ctx, actorID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			err = notFound
		}
		a.fail(c, err)
		return
	}
	activity, err := a.cfg.Store.MemberActivityOf(ctx, group.ID, actorID)
	if err == nil {
		page.Activity = &activity
	} else if !errors.Is(err, store.ErrNotFound) {
		a.fail(c, err)
		return
	}
	follow, err := a.cfg.Store.FollowOf(ctx, group.ID, actorID)
	if err == nil {
		page.Follow = &follow
	} else if !errors.Is(err, store.ErrNotFound) {
		a.fail(c, err)
		return
	}
	ban, err := a.cfg.Store.GroupBanOf(ctx, group.ID, actorID)
	if err == nil {
		page.Ban = &ban
	} else if !errors.Is(err, store.ErrNotFound) {
		a.fail(c, err)
		return
	}
	if page.Activity == nil && page.Follow == nil && page.Ban == nil {
		a.fail(c, notFound)
		return
	}
	if page.Conversations, err = a.cfg.Store.SupportConversationsOfMember(ctx, group.ID, actorID); err != nil {
		a.fail(c, err)
		return
	}
	if page.Log, err = a.cfg.Store.ModerationLogEntries(ctx, store.ModerationLogFilter{GroupID: group.ID, TargetID: page.Actor.IRI, Limit: memberLogEntries}); err != nil {
		a.fail(c, err)
		return
	}
	page.Reports, err = a.cfg.Store.ListReports(ctx, store.ReportFilter{Scope: store.ReportScope{GroupIDs: []string{group.ID}},
		GroupID: group.ID, TargetActorID: actorID, Limit: memberReports})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, "member.html", page.Actor.Handle()+" in "+group.Name, page)
}
