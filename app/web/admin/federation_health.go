package admin

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/access"
	"github.com/kring-social/kring/app/federationhealth"
)

// federationHealthPage is what the instance admin sees of federation: the task backlog, hosts
// failing or unreachable, deliveries given up per host, tasks out of retries, and the inbox's
// refusals of the last day.
type federationHealthPage struct {
	federationhealth.Overview
	Reasons []refusalCount
	Now     time.Time
}

// refusalCount is one reason's line in the refusals table.
type refusalCount struct {
	Reason string
	Count  int64
}

const federationURL = "/admin/federation"

// mountFederationHealth mounts the page when the admin was given the service (every process that
// serves the admin is; some tests of other pages are not).
func (a *Admin) mountFederationHealth(r gin.IRouter) {
	if a.cfg.FederationHealth == nil {
		return
	}
	r.GET("/federation", a.federationHealth)
	r.POST("/federation/hosts/retry", a.retryHost)
	r.POST("/federation/hosts/forget", a.forgetHost)
	r.POST("/federation/tasks/:id/retry", a.retryDeadTask)
	r.POST("/federation/tasks/:id/discard", a.discardDeadTask)
}

// requireInstanceAdmin lets only the instance admin through: federation's state spans every
// organisation, and its repairs act for all of them.
func (a *Admin) requireInstanceAdmin(c *gin.Context) bool {
	if err := access.Require(principalOf(c).InstanceAdmin()); err != nil {
		a.fail(c, err)
		return false
	}
	return true
}

func (a *Admin) federationHealth(c *gin.Context) {
	if !a.requireInstanceAdmin(c) {
		return
	}
	now := time.Now().UTC()
	overview, err := a.cfg.FederationHealth.Overview(c.Request.Context(), now)
	if err != nil {
		a.fail(c, err)
		return
	}
	page := federationHealthPage{Overview: overview, Now: now}
	for reason, count := range overview.Refusals {
		page.Reasons = append(page.Reasons, refusalCount{Reason: reason, Count: count})
	}
	slices.SortFunc(page.Reasons, func(x, y refusalCount) int {
		return cmp.Or(cmp.Compare(y.Count, x.Count), cmp.Compare(x.Reason, y.Reason))
	})
	a.render(c, "federation.html", "Federation health", page)
}

func (a *Admin) retryHost(c *gin.Context) {
	if !a.requireInstanceAdmin(c) {
		return
	}
	host := c.PostForm("host")
	queued, err := a.cfg.FederationHealth.RetryHost(c.Request.Context(), staffID(c), host)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, federationURL, fmt.Sprintf("%s will be tried again: %d pending deliveries queued now.", host, queued))
}

func (a *Admin) forgetHost(c *gin.Context) {
	if !a.requireInstanceAdmin(c) {
		return
	}
	host := c.PostForm("host")
	if err := a.cfg.FederationHealth.ForgetHost(c.Request.Context(), staffID(c), host); err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, federationURL, host+"'s failures are forgotten: it counts as a host that never failed.")
}

func (a *Admin) retryDeadTask(c *gin.Context) {
	if !a.requireInstanceAdmin(c) {
		return
	}
	task, err := a.cfg.FederationHealth.RetryTask(c.Request.Context(), staffID(c), c.Param("id"))
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, federationURL, "The "+task.TaskType+" task will run again within seconds, with its retries renewed.")
}

func (a *Admin) discardDeadTask(c *gin.Context) {
	if !a.requireInstanceAdmin(c) {
		return
	}
	task, err := a.cfg.FederationHealth.DiscardTask(c.Request.Context(), staffID(c), c.Param("id"))
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, federationURL, "The "+task.TaskType+" task is discarded.")
}
