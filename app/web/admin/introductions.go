package admin

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// introductionsPageSize is how many introductions one page lists.
const introductionsPageSize = 50

// introductionsPage shows a group's introductions thread: its prompt, and members' replies to it.
type introductionsPage struct {
	Group         store.GroupInOrganisation
	Prompt        *model.Post
	Text          string // the prompt form's text
	DefaultText   string
	Introductions []store.Introduction
	Next          string
	Paged         bool
	Error         string
}

func (a *Admin) mountIntroductions(r gin.IRouter) {
	r.GET("/groups/:slug/introductions", a.introductions)
	r.POST("/groups/:slug/introductions", a.saveIntroductionsPrompt)
	r.POST("/groups/:slug/introductions/stop", a.stopIntroductions)
	r.POST("/groups/:slug/introductions/:id/highlight", a.highlightIntroduction)
}

func (a *Admin) introductions(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	a.renderIntroductions(c, http.StatusOK, group, "", "")
}

func (a *Admin) renderIntroductions(c *gin.Context, status int, group store.GroupInOrganisation, text, problem string) {
	ctx := c.Request.Context()
	page := introductionsPage{Group: group, Text: text, DefaultText: conversations.DefaultIntroductionsPrompt,
		Paged: c.Query("after") != "", Error: problem}
	prompt, found, err := a.cfg.Conversations.IntroductionsPrompt(ctx, group.Group)
	if err != nil {
		a.fail(c, err)
		return
	}
	if found {
		page.Prompt = &prompt
		if page.Introductions, err = a.cfg.Conversations.Introductions(ctx, prompt, c.Query("after"), introductionsPageSize+1); err != nil {
			a.fail(c, err)
			return
		}
		if len(page.Introductions) > introductionsPageSize {
			page.Introductions = page.Introductions[:introductionsPageSize]
			page.Next = page.Introductions[introductionsPageSize-1].ID
		}
	}
	switch {
	case page.Text != "":
	case found && group.IntroductionsPrompt != "":
		page.Text = group.IntroductionsPrompt
	default:
		page.Text = page.DefaultText
	}
	a.renderStatus(c, status, "introductions.html", "Introductions in "+group.Name, page)
}

// saveIntroductionsPrompt starts the thread, or changes the prompt's words.
func (a *Admin) saveIntroductionsPrompt(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	text := c.PostForm("text")
	_, err := a.cfg.Conversations.SetIntroductionsPrompt(c.Request.Context(), group.ID, staffID(c), text)
	if status, problem, refused := formRefusal(err); refused {
		a.renderIntroductions(c, status, group, text, problem)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	notice := "Introductions prompt published and pinned: members introduce themselves by replying to it."
	if group.IntroductionsPostID != nil {
		notice = "Introductions prompt saved: members' servers are sent the new words."
	}
	a.done(c, "/admin/groups/"+group.Slug+"/introductions", notice)
}

func (a *Admin) stopIntroductions(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	if err := a.cfg.Conversations.StopIntroductions(c.Request.Context(), group.ID, staffID(c)); err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, "/admin/groups/"+group.Slug+"/introductions", "Introductions stopped: the prompt is deleted; members' introductions stay.")
}

// highlightIntroduction announces one introduction to every member.
func (a *Admin) highlightIntroduction(c *gin.Context) {
	group, post, ok := a.postToModerate(c)
	if !ok {
		return
	}
	if _, err := a.cfg.Conversations.HighlightIntroduction(c.Request.Context(), post.ID, staffID(c)); err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, "/admin/groups/"+group.Slug+"/introductions", "Introduction highlighted: the group shared it with every member.")
}
