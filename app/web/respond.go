package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/web/refusal"
)

// respondError is the one place a domain error becomes an HTTP response: the status follows the
// error's kind, the body carries only the safe message, and internal causes go to the log.
func respondError(c *gin.Context, logger *slog.Logger, err error) {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		refusal.Refuse(c, http.StatusRequestEntityTooLarge, "request body too large")
		return
	}
	status := statusFor(apperror.KindOf(err))
	if status >= 500 {
		logger.ErrorContext(c.Request.Context(), "request failed", "path", c.Request.URL.Path, "error", err)
		refusal.Respond(c, status, "internal error")
		return
	}
	refusal.Refuse(c, status, apperror.SafeMessage(err))
}

func statusFor(kind apperror.Kind) int {
	switch kind {
	case apperror.KindInvalid:
		return http.StatusBadRequest
	case apperror.KindConflict:
		return http.StatusConflict
	case apperror.KindNotFound:
		return http.StatusNotFound
	case apperror.KindForbidden:
		return http.StatusForbidden
	case apperror.KindUnauthenticated:
		return http.StatusUnauthorized
	default:
		return http.StatusInternalServerError
	}
}
