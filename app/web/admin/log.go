package admin

import (
	"errors"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/access"
	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// logPageSize is how many entries one page of the moderation log shows.
const logPageSize = 50

// logPage is one page of the moderation log, newest first, with the filter that chose it. The log
// is append-only: there is no route to change or delete an entry.
type logPage struct {
	Rows   []logRow
	Groups []store.GroupInOrganisation // the groups the filter offers: those the reader moderates
	Group  string
	Action string
	Staff  string
	Next   string // the URL of the next, older page; "" on the last
}

// logRow is an entry as the page shows it, its metadata spelled out.
type logRow struct {
	store.ModerationLogEntry
	Details string
}

func (a *Admin) mountLog(r gin.IRouter) {
	r.GET("/log", a.moderationLog)
}

// moderationLog shows the entries the reader may see: an instance admin all of them; owners and
// admins those of their organisations; moderators those of the groups they moderate.
func (a *Admin) moderationLog(c *gin.Context) {
	ctx := c.Request.Context()
	p := principalOf(c)
	groups, err := a.visibleGroups(ctx, p)
	if err != nil {
		a.fail(c, err)
		return
	}
	page := logPage{Groups: groups, Group: c.Query("group"), Action: strings.TrimSpace(c.Query("action")),
		Staff: strings.TrimSpace(c.Query("staff"))}
	filter := store.ModerationLogFilter{Action: model.LogAction(page.Action), Before: c.Query("before"), Limit: logPageSize + 1}
	if !p.InstanceAdmin() {
		filter.Visible = logVisibility(p, groups)
	}
	if page.Group != "" {
		group, err := a.cfg.Store.GroupBySlug(ctx, page.Group)
		if errors.Is(err, store.ErrNotFound) {
			err = apperror.NotFound("group %q not found", page.Group)
		}
		if err == nil {
			err = access.Require(p.Moderates(group.Group))
		}
		if err != nil {
			a.fail(c, err)
			return
		}
		filter.GroupID = group.ID
	}
	if page.Staff != "" {
		account, err := a.cfg.Store.StaffAccountByEmail(ctx, page.Staff)
		switch {
		case errors.Is(err, store.ErrNotFound):
			// Nobody by that address: no entries, the same page as someone who did nothing here.
			filter.StaffAccountID = "none"
		case err != nil:
			a.fail(c, err)
			return
		default:
			filter.StaffAccountID = account.ID
		}
	}
	entries, err := a.cfg.Store.ModerationLogEntries(ctx, filter)
	if err != nil {
		a.fail(c, err)
		return
	}
	if len(entries) > logPageSize {
		entries = entries[:logPageSize]
		query := url.Values{"before": {entries[len(entries)-1].ID}}
		for key, value := range map[string]string{"group": page.Group, "action": page.Action, "staff": page.Staff} {
			if value != "" {
				query.Set(key, value)
			}
		}
		page.Next = "/admin/log?" + query.Encode()
	}
	for _, e := range entries {
		page.Rows = append(page.Rows, logRow{ModerationLogEntry: e, Details: spellMetadata(e.Metadata)})
	}
	a.render(c, "log.html", "Moderation log", page)
}

// logVisibility is the part of the log someone other than an instance admin may read.
func logVisibility(p access.Principal, groups []store.GroupInOrganisation) *store.LogVisibility {
	visible := &store.LogVisibility{}
	for _, id := range p.OrganisationIDs() {
		if p.ManagesOrganisation(id) {
			visible.OrganisationIDs = append(visible.OrganisationIDs, id)
		}
	}
	for _, g := range groups {
		visible.GroupIDs = append(visible.GroupIDs, g.ID)
	}
	return visible
}
