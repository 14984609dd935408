package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/refusal"
)

// respondError is the one place a domain error becomes an HTTP response: the status follows the
// error's kind, the body carries only the safe message, and internal causes go to the log.
func respondError(c *gin.Context, logger *slog.Logger, err error) {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		refusal.Refuse(c, http.StatusRequestEntityTooLarge, "request body too large")
		return
	}
	status := refusal.StatusFor(err)
	if status >= 500 {
		logger.ErrorContext(c.Request.Context(), "request failed", "path", c.Request.URL.Path, "error", err)
		refusal.Respond(c, status, "internal error")
		return
	}
	refusal.Refuse(c, status, apperror.SafeMessage(err))
}
