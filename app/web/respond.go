package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
)

// refusalKey stores why a request was refused, for the request log line.
const refusalKey = "kring.refusal"

// respondStatus answers with a small JSON error body.
func respondStatus(c *gin.Context, status int, message string) {
	c.AbortWithStatusJSON(status, gin.H{"error": message})
}

// refuse answers a client error and notes why, so every refusal is logged with its reason.
func refuse(c *gin.Context, status int, reason string) {
	c.Set(refusalKey, reason)
	respondStatus(c, status, reason)
}

// respondError is the one place a domain error becomes an HTTP response: the status follows the
// error's kind, the body carries only the safe message, and internal causes go to the log.
func respondError(c *gin.Context, logger *slog.Logger, err error) {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		refuse(c, http.StatusRequestEntityTooLarge, "request body too large")
		return
	}
	status := statusFor(apperror.KindOf(err))
	if status >= 500 {
		logger.Error("request failed", "path", c.Request.URL.Path, "request_id", c.GetString(requestIDHeader), "error", err)
		respondStatus(c, status, "internal error")
		return
	}
	refuse(c, status, apperror.SafeMessage(err))
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
