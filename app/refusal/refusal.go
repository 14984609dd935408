// Package refusal answers requests Kring turns away. Every refusal is logged with its reason by the
// request log, whichever package refuses: the web front, the admin or the federation endpoints.
//
// It is a leaf (it imports only gin and app/apperror) so that federation's handlers and the web front
// can share it without federation importing the web front that mounts it.
package refusal

import "github.com/gin-gonic/gin"

// ReasonKey is where a refusal's reason is kept on the request, for the request log line.
const ReasonKey = "kring.refusal"

// Respond answers with status and a small JSON error body, without noting a reason.
func Respond(c *gin.Context, status int, message string) {
	c.AbortWithStatusJSON(status, gin.H{"error": message})
}

// Refuse answers a client error and notes why.
func Refuse(c *gin.Context, status int, reason string) {
	c.Set(ReasonKey, reason)
	Respond(c, status, reason)
}

// Reason returns the reason a request was refused, or "".
func Reason(c *gin.Context) string { return c.GetString(ReasonKey) }
