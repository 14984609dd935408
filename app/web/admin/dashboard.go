package admin

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/access"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// groupCard is one group on the dashboard with the numbers a moderator acts on.
type groupCard struct {
	Group        store.GroupInOrganisation
	Members      int64
	Pending      int64
	Queue        int64
	OpenReports  int64
	CanManage    bool
	Organisation string
}

// visibleGroups lists the groups a principal may see: all of the organisations they manage, and the
// ones they moderate.
func (a *Admin) visibleGroups(ctx context.Context, p access.Principal) ([]store.GroupInOrganisation, error) {
	all, err := a.cfg.Store.ListGroups(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []store.GroupInOrganisation
	for _, g := range all {
		if p.Moderates(g.Group) {
			out = append(out, g)
		}
	}
	return out, nil
}

func (a *Admin) dashboard(c *gin.Context) {
	ctx := c.Request.Context()
	p := principalOf(c)
	groups, err := a.visibleGroups(ctx, p)
	if err != nil {
		a.fail(c, err)
		return
	}
	cards := make([]groupCard, 0, len(groups))
	for _, g := range groups {
		card := groupCard{Group: g, CanManage: p.ManagesOrganisation(g.OrganisationID), Organisation: g.OrganisationSlug}
		if card.Members, err = a.cfg.Store.CountFollowers(ctx, g.ID); err != nil {
			a.fail(c, err)
			return
		}
		if card.Pending, err = a.cfg.Store.CountFollowsInState(ctx, g.ID, model.FollowPending); err != nil {
			a.fail(c, err)
			return
		}
		if card.Queue, err = a.cfg.Store.CountPosts(ctx, g.ID, model.PostHeld); err != nil {
			a.fail(c, err)
			return
		}
		if card.OpenReports, err = a.cfg.Store.CountOpenReports(ctx, g.ID); err != nil {
			a.fail(c, err)
			return
		}
		cards = append(cards, card)
	}
	a.render(c, "dashboard.html", "Dashboard", cards)
}
