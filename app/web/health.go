package web

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// readinessTimeout bounds each dependency check so a hung database makes /readyz say 503 quickly
// instead of hanging the orchestrator's probe.
const readinessTimeout = 3 * time.Second

func mountHealth(engine *gin.Engine, checks []ReadinessCheck, logger *slog.Logger) {
	// /healthz says the process is up and serving; it touches nothing else, so a database outage
	// never gets a healthy process restarted.
	engine.GET("/healthz", func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"status": "ok"})
	})
	engine.HEAD("/healthz", func(c *gin.Context) { c.Status(http.StatusOK) })
	// /readyz says whether every dependency answers, so a load balancer sends traffic only when
	// requests can succeed.
	engine.GET("/readyz", func(c *gin.Context) {
		results, ready := runChecks(c.Request.Context(), checks, logger)
		status := http.StatusOK
		overall := "ok"
		if !ready {
			status = http.StatusServiceUnavailable
			overall = "unavailable"
		}
		c.JSON(status, gin.H{"status": overall, "checks": results})
	})
}

// runChecks runs the checks concurrently and returns each one's outcome.
func runChecks(ctx context.Context, checks []ReadinessCheck, logger *slog.Logger) (map[string]string, bool) {
	results := make(map[string]string, len(checks))
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		ready = true
	)
	for _, check := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			checkCtx, cancel := context.WithTimeout(ctx, readinessTimeout)
			defer cancel()
			outcome := "ok"
			if err := check.Check(checkCtx); err != nil {
				// The probe only needs the verdict; the operator needs the cause.
				logger.WarnContext(ctx, "readiness check failed", "check", check.Name, "error", err)
				outcome = "unavailable"
			}
			mu.Lock()
			defer mu.Unlock()
			results[check.Name] = outcome
			if outcome != "ok" {
				ready = false
			}
		}()
	}
	wg.Wait()
	return results, ready
}
