package admin

import (
	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/model"
)

// conversationPath is the page of a conversation of group slug.
func conversationPath(slug, id string) string { return "/admin/groups/" + slug + "/support/" + id }

// supportReply answers the member as the group; a refused text comes back in the form.
func (a *Admin) supportReply(c *gin.Context) {
	group, conversation, ok := a.conversationOf(c)
	if !ok {
		return
	}
	err := a.cfg.Community.Reply(c.Request.Context(), conversation.ID, sessionOf(c).Account.ID, c.PostForm("text"))
	if status, problem, refused := formRefusal(err); refused {
		a.renderConversation(c, status, group, conversation, c.PostForm("text"), problem)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, conversationPath(group.Slug, conversation.ID), "Reply sent to "+conversation.Member.Handle()+".")
}

// supportNote adds an internal note.
func (a *Admin) supportNote(c *gin.Context) {
	group, conversation, ok := a.conversationOf(c)
	if !ok {
		return
	}
	err := a.cfg.Community.AddNote(c.Request.Context(), conversation.ID, sessionOf(c).Account.ID, c.PostForm("note"))
	if status, problem, refused := formRefusal(err); refused {
		a.renderConversation(c, status, group, conversation, "", problem)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, conversationPath(group.Slug, conversation.ID), "Note added.")
}

// supportStatus moves the conversation to another status.
func (a *Admin) supportStatus(c *gin.Context) {
	group, conversation, ok := a.conversationOf(c)
	if !ok {
		return
	}
	status := model.SupportStatus(c.PostForm("status"))
	if err := a.cfg.Community.SetSupportStatus(c.Request.Context(), conversation.ID, status); err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, conversationPath(group.Slug, conversation.ID), "Conversation marked "+string(status)+".")
}

// supportAssign gives the conversation to the reader ("me"), to nobody ("nobody") or to the staff
// member whose id is given.
func (a *Admin) supportAssign(c *gin.Context) {
	group, conversation, ok := a.conversationOf(c)
	if !ok {
		return
	}
	var to *string
	switch who := c.PostForm("to"); who {
	case "nobody", "":
	case "me":
		to = staffID(c)
	default:
		to = &who
	}
	if err := a.cfg.Community.AssignSupport(c.Request.Context(), conversation.ID, to); err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, conversationPath(group.Slug, conversation.ID), "Assignment saved.")
}

// supportReport turns the conversation into a report and opens it.
func (a *Admin) supportReport(c *gin.Context) {
	_, conversation, ok := a.conversationOf(c)
	if !ok {
		return
	}
	reportID, err := a.cfg.Community.TurnIntoReport(c.Request.Context(), conversation.ID, sessionOf(c).Account.ID, c.PostForm("reason"))
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, "/admin/reports/"+reportID, "The conversation is now a report.")
}
