package admin

import (
	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// membersPageSize is how many members one page lists: a screenful a moderator can scan.
const membersPageSize = 50

// memberStates are the lists the members page offers, in the order of its tabs.
var memberStates = []struct{ State, Label string }{
	{string(model.FollowAccepted), "Members"},
	{string(model.FollowPending), "Follow requests"},
	{string(model.FollowRejected), "Rejected"},
	{store.MemberBanned, "Banned"},
}

// memberTab is one state's tab with how many are in it.
type memberTab struct {
	State, Label string
	Count        int64
	Current      bool
}

// membersPage is one page of a group's members in one state.
type membersPage struct {
	Group   store.GroupInOrganisation
	State   string
	Tabs    []memberTab
	Members []store.Member
	// Next continues the list after this page; Paged says this is not the first page.
	Next  string
	Paged bool
}

func (a *Admin) mountMembers(r gin.IRouter) {
	r.GET("/groups/:slug/members", a.members)
	r.POST("/groups/:slug/members/approve", a.approveFollow)
	r.POST("/groups/:slug/members/reject", a.rejectFollow)
	for _, action := range memberActions {
		r.GET("/groups/:slug/members/"+action.path, a.memberActionPage(action))
		r.POST("/groups/:slug/members/"+action.path, a.memberAction(action))
	}
}

func (a *Admin) members(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	state := c.DefaultQuery("state", string(model.FollowAccepted))
	tabs, err := a.memberTabs(c, group.ID, state)
	if err != nil {
		a.fail(c, err)
		return
	}
	page, err := a.cfg.Store.ListMembers(c.Request.Context(), store.MemberQuery{GroupID: group.ID, State: state,
		Before: c.Query("before"), Limit: membersPageSize})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, "members.html", "Members of "+group.Name, membersPage{Group: group, State: state, Tabs: tabs,
		Members: page.Members, Next: page.Next, Paged: c.Query("before") != ""})
}

// memberTabs counts each state's list and marks the current one; an unknown state is refused.
func (a *Admin) memberTabs(c *gin.Context, groupID, current string) ([]memberTab, error) {
	ctx := c.Request.Context()
	tabs := make([]memberTab, len(memberStates))
	known := false
	for i, s := range memberStates {
		tabs[i] = memberTab{State: s.State, Label: s.Label, Current: s.State == current}
		known = known || tabs[i].Current
		var err error
		if s.State == store.MemberBanned {
			tabs[i].Count, err = a.cfg.Store.CountGroupBans(ctx, groupID)
		} else {
			tabs[i].Count, err = a.cfg.Store.CountFollowsInState(ctx, groupID, model.FollowState(s.State))
		}
		if err != nil {
			return nil, err
		}
	}
	if !known {
		return nil, apperror.Invalid("state", "must be accepted, pending, rejected or banned (got %q)", current)
	}
	return tabs, nil
}
