package web

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/web/admin"
	"github.com/kring-social/kring/federation"
)

// TestSecurityHeadersOnEveryResponse: whatever answers (a page, the admin, a JSON document, a
// picture, a redirect, a refusal, an unknown route, a panic, an empty or a HEAD response), the
// response forbids framing (X-Frame-Options and the CSP's frame-ancestors, added once to a policy the
// page set itself and kept), MIME sniffing, and a referrer beyond Kring's own origin.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	var logs bytes.Buffer
	engine := newTestEngine(t, &logs)
	public, _ := url.Parse("https://kring.example")
	pages := NewGroupPages(federation.NewIRIs(public))
	pages.Mount(engine)
	engine.GET("/groups/lobby", func(c *gin.Context) {
		pages.Render(c, store.GroupInOrganisation{Group: model.Group{Slug: "lobby", Name: "Lobby"}}, 3, store.GroupPagePosts{})
	})
	engine.GET("/document", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"type": "Group"}) })
	engine.GET("/framed-on-purpose", func(c *gin.Context) {
		c.Header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'self'")
		c.Header("X-Frame-Options", "SAMEORIGIN")
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte("<p>hi</p>"))
	})
	engine.GET("/empty", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	engine.GET("/streamed", func(c *gin.Context) {
		c.Header("Content-Type", "text/html; charset=utf-8")
		c.Writer.WriteHeaderNow()
		c.Writer.Flush()
		_, _ = io.WriteString(c.Writer, "<p>streamed</p>")
	})
	engine.GET("/boom", func(*gin.Context) { panic("kaboom") })
	dir := t.TempDir()
	const picture = "0123456789abcdef0123456789abcdef.png"
	if err := os.WriteFile(filepath.Join(dir, picture), []byte("\x89PNG\r\n\x1a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	MountMedia(engine, dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	adm, err := admin.New(admin.Config{PublicOrigin: "https://kring.example"})
	if err != nil {
		t.Fatal(err)
	}
	adm.Mount(engine)

	for _, c := range []struct {
		name, method, path string
		status             int
		csp                []string // directives the page's own policy must keep
	}{
		{"group page", http.MethodGet, "/groups/lobby", 200, []string{"default-src 'none'", "img-src 'self'", "form-action 'self' https:"}},
		{"remote-follow redirect", http.MethodGet, "/groups/lobby/follow?server=m.example", 303, nil},
		{"remote-follow refusal", http.MethodGet, "/groups/lobby/follow?server=%3Cscript%3E", 400, nil},
		{"admin login page", http.MethodGet, "/admin/login", 200, []string{"form-action 'self'", "base-uri 'none'"}},
		{"admin without a session", http.MethodGet, "/admin", 303, nil},
		{"admin stylesheet", http.MethodGet, "/admin/static/admin.css", 200, nil},
		{"JSON document", http.MethodGet, "/document", 200, nil},
		{"health", http.MethodGet, "/healthz", 200, nil},
		{"picture", http.MethodGet, "/media/" + picture, 200, []string{"sandbox"}},
		{"picture, HEAD", http.MethodHead, "/media/" + picture, 200, []string{"sandbox"}},
		{"missing picture", http.MethodGet, "/media/ffffffffffffffffffffffffffffffff.png", 404, nil},
		{"unknown route", http.MethodGet, "/nope", 404, nil},
		{"wrong method", http.MethodDelete, "/healthz", 405, nil},
		{"no content", http.MethodGet, "/empty", 204, nil},
		{"streamed", http.MethodGet, "/streamed", 200, nil},
		{"panic", http.MethodGet, "/boom", 500, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := serve(engine, httptest.NewRequest(c.method, c.path, nil))
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d", rec.Code, c.status)
			}
			h := rec.Header()
			for name, want := range map[string]string{
				"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin",
			} {
				if got := h.Values(name); len(got) != 1 || got[0] != want {
					t.Errorf("%s: %q, want %q once", name, got, want)
				}
			}
			csp := h.Values("Content-Security-Policy")
			if len(csp) != 1 || strings.Count(csp[0], "frame-ancestors") != 1 || !strings.Contains(csp[0], "frame-ancestors 'none'") {
				t.Errorf("Content-Security-Policy %q, want one policy with frame-ancestors 'none' once", csp)
			}
			for _, directive := range c.csp {
				if len(csp) == 0 || !strings.Contains(csp[0], directive) {
					t.Errorf("Content-Security-Policy %q lost the page's %q", csp, directive)
				}
			}
		})
	}

	// A response that chose its own framing keeps it.
	rec := serve(engine, httptest.NewRequest(http.MethodGet, "/framed-on-purpose", nil))
	if csp := rec.Header().Get("Content-Security-Policy"); csp != "default-src 'none'; frame-ancestors 'self'" {
		t.Errorf("a page's own frame-ancestors: Content-Security-Policy %q", csp)
	}
	if xfo := rec.Header().Get("X-Frame-Options"); xfo != "SAMEORIGIN" {
		t.Errorf("a page's own X-Frame-Options: %q", xfo)
	}
	if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Error("nosniff is on every response")
	}
}

// TestMergeFrameAncestors: the directive is added to a policy that lacks it, in any case or
// spacing, and never twice.
func TestMergeFrameAncestors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "frame-ancestors 'none'"},
		{"default-src 'none'", "default-src 'none'; frame-ancestors 'none'"},
		{"default-src 'none'; ", "default-src 'none'; frame-ancestors 'none'"},
		{"default-src 'none';Frame-Ancestors 'self'", "default-src 'none';Frame-Ancestors 'self'"},
		{"img-src frame-ancestors.example", "img-src frame-ancestors.example; frame-ancestors 'none'"},
	} {
		if got := withFrameAncestors(c.in); got != c.want {
			t.Errorf("withFrameAncestors(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
