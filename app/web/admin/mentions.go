package admin

import (
	"errors"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// mentionsPageSize is how many mentions one page lists.
const mentionsPageSize = 50

// mentionsPage lists what people who are not the group's members said to it, newest first, for
// staff to read and answer.
type mentionsPage struct {
	Group    store.GroupInOrganisation
	Mentions []listedMention
	Next     string // the last mention's id when older ones follow
	Paged    bool
}

// listedMention is a kept mention with a short text to read it by.
type listedMention struct {
	store.MentionWithAuthor
	Excerpt string
}

func (a *Admin) mountMentions(r gin.IRouter) {
	r.GET("/groups/:slug/mentions", a.mentions)
}

// mentions shows the group's mentions by non-members, each with a link to the original and to
// answer it as the group. The group's moderators and the organisation's managers may see it.
func (a *Admin) mentions(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	before := c.Query("before")
	rows, err := a.cfg.Store.GroupMentionsBefore(c.Request.Context(), group.ID, before, mentionsPageSize+1)
	if err != nil {
		a.fail(c, mentionNotFound(err, group, before))
		return
	}
	page := mentionsPage{Group: group, Paged: before != ""}
	if len(rows) > mentionsPageSize {
		rows = rows[:mentionsPageSize]
		page.Next = rows[mentionsPageSize-1].ID
	}
	for _, m := range rows {
		page.Mentions = append(page.Mentions, listedMentionOf(m))
	}
	a.render(c, "mentions.html", "Mentions of "+group.Name, page)
}

// mentionNotFound is err, a 404 when it is that the group keeps no mention of id (a made-up or
// another group's id).
func mentionNotFound(err error, group store.GroupInOrganisation, id string) error {
	if errors.Is(err, store.ErrNotFound) {
		return apperror.NotFound("group %q has no mention %q", group.Slug, id)
	}
	return err
}

// listedMentionOf is a mention with a short plain text to read it by.
func listedMentionOf(m store.MentionWithAuthor) listedMention {
	return listedMention{MentionWithAuthor: m, Excerpt: textinput.Excerpt(textinput.PlainText(m.ContentHTML), 280)}
}
