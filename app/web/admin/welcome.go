package admin

import (
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/community"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// welcomePage edits a group's welcome message and previews it as a new member will read it.
type welcomePage struct {
	Group        store.GroupInOrganisation
	Enabled      bool
	Text         string
	Preview      template.HTML // rendered by community.Service.Render, which escapes the text
	Placeholders []string
	MaxLength    int
	Error        string
}

// previewMember is who the preview greets.
var previewMember = model.RemoteActor{IRI: "https://example.social/users/alex", URL: "https://example.social/@alex",
	PreferredUsername: "alex", DisplayName: "Alex", Host: "example.social"}

func (a *Admin) mountWelcome(r gin.IRouter) {
	r.GET("/groups/:slug/welcome", a.welcome)
	r.POST("/groups/:slug/welcome", a.saveWelcome)
}

func (a *Admin) welcome(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	text := group.WelcomeText
	if text == "" {
		text = community.DefaultWelcome
	}
	a.renderWelcome(c, http.StatusOK, group, group.WelcomeEnabled, text, "")
}

// saveWelcome saves the form, or with action=preview shows what the text would look like without
// saving it.
func (a *Admin) saveWelcome(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	enabled, text := c.PostForm("enabled") == "on", c.PostForm("text")
	if c.PostForm("action") == "preview" {
		checked, err := community.CheckWelcomeText(text)
		problem := ""
		if _, message, refused := formRefusal(err); refused {
			problem = message
		} else if err != nil {
			a.fail(c, err)
			return
		}
		if problem == "" {
			text = checked
		}
		a.renderWelcome(c, http.StatusOK, group, enabled, text, problem)
		return
	}
	err := a.cfg.Community.SetWelcome(c.Request.Context(), group.ID, staffID(c), enabled, text)
	if status, problem, refused := formRefusal(err); refused {
		a.renderWelcome(c, status, group, enabled, c.PostForm("text"), problem)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	notice := "Welcome saved: new members receive it."
	if !enabled {
		notice = "Welcome saved and turned off: new members receive none."
	}
	a.done(c, "/admin/groups/"+group.Slug+"/welcome", notice)
}

func (a *Admin) renderWelcome(c *gin.Context, status int, group store.GroupInOrganisation, enabled bool, text, problem string) {
	shown := group.Group
	shown.WelcomeText = text
	page := welcomePage{Group: group, Enabled: enabled, Text: text, Placeholders: community.Placeholders,
		MaxLength: community.MaxWelcomeText, Error: problem}
	if problem == "" {
		page.Preview = template.HTML(a.cfg.Community.Render(shown, previewMember))
	}
	a.renderStatus(c, status, "welcome.html", "Welcome message of "+group.Name, page)
}
