package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/logctx"
	"github.com/kring-social/kring/app/refusal"
)

const requestIDHeader = "X-Request-ID"

// requestID gives every request an id, echoed in the response and carried in the request's context,
// so every line logged while serving it (the access line, services, the store) names it and an
// operator can match a complaint to its log lines. A proxy's id is kept when it looks sane.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(requestIDHeader)
		if len(id) == 0 || len(id) > 64 || !printableASCII(id) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Set(requestIDHeader, id)
		c.Header(requestIDHeader, id)
		c.Request = c.Request.WithContext(logctx.WithRequestID(c.Request.Context(), id))
		c.Next()
	}
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// securityHeaders puts on every response, whoever writes it (a page, the admin, a federation
// document, a picture, a refusal, a redirect), the headers that keep browsers from misusing it:
//   - X-Content-Type-Options: nosniff, so nothing is run or shown as another type than it says;
//   - X-Frame-Options: DENY and the Content-Security-Policy directive frame-ancestors 'none', so no
//     other site can frame a page under a visitor's clicks; the directive is added to the policy a
//     page sets itself (group pages, the admin, pictures), and a response that chose its own
//     framing keeps it;
//   - Referrer-Policy: same-origin: Kring's own pages still see where a visitor came from, while
//     the servers its pages link to (members' posts, the remote-follow redirect) learn nothing
//     of the admin's or a group page's address. strict-origin-when-cross-origin would still give
//     them the origin, which says nothing they need; the admin's CSRF check reads Origin, which
//     this policy leaves on same-origin posts.
//
// A handler sets its own headers after this runs, so the policy is completed when the response's
// headers are written: on the first write through the context's writer, or when the handlers are
// done for a response that wrote no body.
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		guarded := &securedWriter{ResponseWriter: c.Writer}
		c.Writer = guarded
		c.Next()
		guarded.secure()
	}
}

// securedWriter completes a response's security headers just before they are sent.
type securedWriter struct {
	gin.ResponseWriter
	done bool
}

func (w *securedWriter) secure() {
	if w.done || w.Written() {
		return
	}
	w.done = true
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	if h.Get("X-Frame-Options") == "" {
		h.Set("X-Frame-Options", "DENY")
	}
	if h.Get("Referrer-Policy") == "" {
		h.Set("Referrer-Policy", "same-origin")
	}
	policies := h.Values("Content-Security-Policy") // the header's own slice, not a copy
	switch {
	case slices.ContainsFunc(policies, func(p string) bool { return hasDirective(p, "frame-ancestors") }):
		// the page decided (when there are several policies, each applies)
	case len(policies) == 0:
		h.Set("Content-Security-Policy", withFrameAncestors(""))
	default:
		policies[0] = withFrameAncestors(policies[0])
	}
}

func (w *securedWriter) WriteHeaderNow() {
	w.secure()
	w.ResponseWriter.WriteHeaderNow()
}

func (w *securedWriter) Write(data []byte) (int, error) {
	w.secure()
	return w.ResponseWriter.Write(data)
}

func (w *securedWriter) WriteString(s string) (int, error) {
	w.secure()
	return w.ResponseWriter.WriteString(s)
}

func (w *securedWriter) Flush() {
	w.secure()
	w.ResponseWriter.Flush()
}

// withFrameAncestors is policy with frame-ancestors 'none' added, unless it has the directive.
func withFrameAncestors(policy string) string {
	if hasDirective(policy, "frame-ancestors") {
		return policy
	}
	policy = strings.TrimRight(strings.TrimSpace(policy), "; ")
	if policy == "" {
		return "frame-ancestors 'none'"
	}
	return policy + "; frame-ancestors 'none'"
}

// hasDirective reports whether a Content-Security-Policy has the directive (names are
// case-insensitive).
func hasDirective(policy, name string) bool {
	for directive := range strings.SplitSeq(policy, ";") {
		fields := strings.Fields(directive)
		if len(fields) > 0 && strings.EqualFold(fields[0], name) {
			return true
		}
	}
	return false
}

// logRequests writes one structured line per request once it is answered. Its request id comes from
// the context, as on every other line of the request, through logctx's handler (added here when the
// logger has none, so the access line always names its request).
func logRequests(logger *slog.Logger) gin.HandlerFunc {
	logger = slog.New(logctx.Handler(logger.Handler()))
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := c.Writer.Status()
		level := slog.LevelInfo
		switch {
		case status == http.StatusServiceUnavailable:
			// Kring chose to turn the request away (an inbox under overload, a server not ready):
			// worth a look when it lasts, not an error of Kring's.
			level = slog.LevelWarn
		case status >= 500:
			level = slog.LevelError
		case status >= 400:
			level = slog.LevelWarn
		case c.Request.URL.Path == "/healthz" || c.Request.URL.Path == "/readyz":
			level = slog.LevelDebug // probes every few seconds would drown everything else
		}
		attrs := []slog.Attr{
			slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path),
			slog.Int("status", status),
			slog.Duration("duration", time.Since(start)),
			slog.Int("bytes", c.Writer.Size()),
			slog.String("client", c.ClientIP()),
		}
		if reason := refusal.Reason(c); reason != "" {
			attrs = append(attrs, slog.String("reason", reason))
		}
		logger.LogAttrs(c.Request.Context(), level, "http request", attrs...)
	}
}

// recoverPanics turns a panic in a handler into a logged 500 instead of a dead connection.
func recoverPanics(logger *slog.Logger) gin.HandlerFunc {
	logger = slog.New(logctx.Handler(logger.Handler()))
	return func(c *gin.Context) {
		defer func() {
			if recovered := recover(); recovered != nil {
				if recovered == http.ErrAbortHandler {
					panic(recovered) // the server's own way to abort a response; let it through
				}
				logger.ErrorContext(c.Request.Context(), "handler panicked", "panic", recovered, "path", c.Request.URL.Path,
					"stack", string(debug.Stack()))
				if !c.Writer.Written() {
					refusal.Respond(c, http.StatusInternalServerError, "internal error")
				}
				c.Abort()
			}
		}()
		c.Next()
	}
}

// limitBody refuses a declared oversize body at once and cuts off an undeclared one at the limit, so
// no handler ever reads more than max bytes, or the larger limit its route has in larger (routes as
// gin spells them, known here because routing comes before middleware).
func limitBody(max int64, larger map[string]int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		limit := max
		if raised, ok := larger[c.FullPath()]; ok {
			limit = raised
		}
		if c.Request.ContentLength > limit {
			refusal.Refuse(c, http.StatusRequestEntityTooLarge, "request body too large")
			return
		}
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		}
		c.Next()
	}
}

// deadline bounds the time any handler can spend on a request, including waits on the database.
func deadline(timeout time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), timeout)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}
