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
// ones they moderate. The store reads only the groups of the principal's scope; access still decides
// each of them.
func (a *Admin) visibleGroups(ctx context.Context, p access.Principal) ([]store.GroupInOrganisation, error) {
	scope, err := a.groupScope(ctx, p)
	if err != nil {
		return nil, err
	}
	candidates, err := a.cfg.Store.GroupsInScope(ctx, scope)
	if err != nil {
		return nil, err
	}
	var out []store.GroupInOrganisation
	for _, g := range candidates {
		if p.Moderates(g.Group) {
			out = append(out, g)
		}
	}
	return out, nil
}

// groupScope is the groups the principal may see, as the store selects them: every group for an
// instance admin, every group of the organisations they manage, and the groups they are assigned to
// in organisations where they are a moderator.
func (a *Admin) groupScope(ctx context.Context, p access.Principal) (store.GroupScope, error) {
	scope := store.GroupScope{All: p.InstanceAdmin()}
	if scope.All {
		return scope, nil
	}
	moderator := false
	for _, id := range p.OrganisationIDs() {
		switch {
		case p.ManagesOrganisation(id):
			scope.OrganisationIDs = append(scope.OrganisationIDs, id)
		case p.RoleIn(id) == model.RoleModerator:
			moderator = true
		}
	}
	if moderator {
		assigned, err := a.cfg.Store.GroupsModeratedBy(ctx, p.Account.ID)
		if err != nil {
			return scope, err
		}
		scope.GroupIDs = assigned
	}
	return scope, nil
}

func (a *Admin) dashboard(c *gin.Context) {
	ctx := c.Request.Context()
	p := principalOf(c)
	groups, err := a.visibleGroups(ctx, p)
	if err != nil {
		a.fail(c, err)
		return
	}
	ids := make([]string, len(groups))
	for i, g := range groups {
		ids[i] = g.ID
	}
	counts, err := a.cfg.Store.CountsOfGroups(ctx, ids)
	if err != nil {
		a.fail(c, err)
		return
	}
	cards := make([]groupCard, 0, len(groups))
	for _, g := range groups {
		n := counts[g.ID]
		cards = append(cards, groupCard{Group: g, CanManage: p.ManagesOrganisation(g.OrganisationID), Organisation: g.OrganisationSlug,
			Members: n.Followers, Pending: n.FollowRequests, Queue: n.HeldPosts, OpenReports: n.OpenReports})
	}
	a.render(c, "dashboard.html", "Dashboard", cards)
}
