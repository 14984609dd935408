package admin

import "github.com/gin-gonic/gin"

// Each feature of the admin registers its routes in its own file; these are the ones still to come.
// A feature's file replaces its line here.

func (a *Admin) mountGroups(gin.IRouter) {}
