package admin

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/community"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// supportPageSize is how many conversations one page of the support inbox lists.
const supportPageSize = 50

// supportList is one of the support inbox's lists: the conversations in some statuses.
type supportList struct {
	Key, Label string
	Statuses   []model.SupportStatus
}

// supportTabs are the support inbox's lists, in the order of its tabs: what needs an answer first.
var supportTabs = []supportList{
	{"todo", "To answer", []model.SupportStatus{model.SupportNew, model.SupportOpen}},
	{"waiting", "Waiting for the member", []model.SupportStatus{model.SupportWaiting}},
	{"closed", "Closed", []model.SupportStatus{model.SupportClosed}},
}

// supportTab is one tab with how many conversations are in it.
type supportTab struct {
	Key, Label string
	Count      int64
	Current    bool
}

// supportPage is one page of a group's support inbox.
type supportPage struct {
	Group         store.GroupInOrganisation
	Tabs          []supportTab
	Tab           string
	Mine          bool
	Conversations []store.SupportListing
	Next          string
	Paged         bool
}

func (a *Admin) mountSupport(r gin.IRouter) {
	r.GET("/groups/:slug/support", a.supportInbox)
	r.GET("/groups/:slug/support/:id", a.supportConversation)
	r.POST("/groups/:slug/support/:id/reply", a.supportReply)
	r.POST("/groups/:slug/support/:id/note", a.supportNote)
	r.POST("/groups/:slug/support/:id/status", a.supportStatus)
	r.POST("/groups/:slug/support/:id/assign", a.supportAssign)
	r.POST("/groups/:slug/support/:id/report", a.supportReport)
	r.GET("/groups/:slug/saved-replies", a.savedReplies)
	r.POST("/groups/:slug/saved-replies", a.saveReply)
	r.POST("/groups/:slug/saved-replies/:id/delete", a.deleteSavedReply)
}

// supportInbox lists a group's conversations in one tab, the most recently active first; "mine"
// keeps those assigned to the reader.
func (a *Admin) supportInbox(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	page := supportPage{Group: group, Tab: c.DefaultQuery("tab", "todo"), Mine: c.Query("mine") == "1", Paged: c.Query("after") != ""}
	at := slices.IndexFunc(supportTabs, func(t supportList) bool { return t.Key == page.Tab })
	if at < 0 {
		a.fail(c, apperror.Invalid("tab", "no tab %q", page.Tab))
		return
	}
	counts, err := a.cfg.Store.CountSupportConversations(ctx, group.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	for i, tab := range supportTabs {
		var n int64
		for _, s := range tab.Statuses {
			n += counts[s]
		}
		page.Tabs = append(page.Tabs, supportTab{Key: tab.Key, Label: tab.Label, Count: n, Current: i == at})
	}
	filter := store.SupportFilter{GroupID: group.ID, Statuses: supportTabs[at].Statuses, Before: c.Query("after"), Limit: supportPageSize + 1}
	if page.Mine {
		filter.AssigneeStaffID = sessionOf(c).Account.ID
	}
	page.Conversations, err = a.cfg.Store.SupportConversations(ctx, filter)
	if err != nil {
		a.fail(c, err)
		return
	}
	if len(page.Conversations) > supportPageSize {
		page.Conversations = page.Conversations[:supportPageSize]
		page.Next = page.Conversations[supportPageSize-1].ID
	}
	a.render(c, "support.html", "Support inbox of "+group.Name, page)
}

// conversationPage is one conversation, with the forms that answer it.
type conversationPage struct {
	Group store.GroupInOrganisation
	community.Conversation
	Statuses     []model.SupportStatus
	SavedReplies []model.SavedReply
	// Draft is the reply form's text: a saved reply chosen, or what was refused.
	Draft, Error string
	MaxText      int
	// AssigneeID is the assignee's id, "" for nobody: the one the assignment list shows chosen.
	AssigneeID string
}

// conversationOf loads the conversation the path names, which must be of the group the path names
// (itself one the reader moderates): an id of another group's conversation is not found here.
func (a *Admin) conversationOf(c *gin.Context) (store.GroupInOrganisation, community.Conversation, bool) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return group, community.Conversation{}, false
	}
	conversation, err := a.cfg.Community.Conversation(c.Request.Context(), c.Param("id"))
	if err == nil && conversation.GroupID != group.ID {
		err = apperror.NotFound("conversation: no support conversation %s in %s", c.Param("id"), group.Slug)
	}
	if err != nil {
		a.fail(c, err)
		return group, conversation, false
	}
	return group, conversation, true
}

func (a *Admin) supportConversation(c *gin.Context) {
	group, conversation, ok := a.conversationOf(c)
	if !ok {
		return
	}
	draft := ""
	if id := c.Query("saved"); id != "" {
		var err error
		if draft, err = a.cfg.Community.SavedReplyFor(c.Request.Context(), conversation, id); err != nil {
			a.fail(c, err)
			return
		}
	}
	a.renderConversation(c, http.StatusOK, group, conversation, draft, "")
}

func (a *Admin) renderConversation(c *gin.Context, status int, group store.GroupInOrganisation, conversation community.Conversation, draft, problem string) {
	saved, err := a.cfg.Community.SavedReplies(c.Request.Context(), group.OrganisationID)
	if err != nil {
		a.fail(c, err)
		return
	}
	page := conversationPage{Group: group, Conversation: conversation, Statuses: model.SupportStatuses(), SavedReplies: saved,
		Draft: draft, Error: problem, MaxText: community.MaxSupportText}
	if conversation.AssigneeStaffID != nil {
		page.AssigneeID = *conversation.AssigneeStaffID
	}
	a.renderStatus(c, status, "support_conversation.html", "Conversation with "+conversation.Member.Handle(), page)
}
