package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// RequestObserver is told of every answered request (package metrics counts them). route is the
// matched route's template (gin's FullPath), empty when none matched: never the raw path, whose
// variety would be unbounded.
type RequestObserver interface {
	ObserveRequest(route, method string, status int, took time.Duration)
}

func observeRequests(observer RequestObserver) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		observer.ObserveRequest(c.FullPath(), c.Request.Method, c.Writer.Status(), time.Since(start))
	}
}

// MountMetrics serves metrics at /metrics on the main listener, to scrapers bearing the token only
// (they need not be on a private network then); the caller wraps metrics in the token check.
func MountMetrics(engine *gin.Engine, metrics http.Handler) {
	engine.GET("/metrics", gin.WrapH(metrics))
}
