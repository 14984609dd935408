package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestLargerBodiesForNamedRoutes: a route given a larger limit takes bodies up to it, declared or
// not; every other route keeps the engine's limit.
func TestLargerBodiesForNamedRoutes(t *testing.T) {
	gin.SetMode(gin.TestMode)
	engine, err := NewEngine(Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxBodyBytes: 1024,
		LargerBodies: map[string]int64{"/upload/:id": 4096}})
	if err != nil {
		t.Fatal(err)
	}
	read := func(c *gin.Context) {
		if _, err := io.ReadAll(c.Request.Body); err != nil {
			c.Status(http.StatusRequestEntityTooLarge)
			return
		}
		c.Status(http.StatusNoContent)
	}
	engine.POST("/upload/:id", read)
	engine.POST("/other", read)
	for _, c := range []struct {
		path     string
		size     int
		declared bool
		want     int
	}{
		{"/upload/1", 3000, true, http.StatusNoContent},
		{"/upload/1", 3000, false, http.StatusNoContent},
		{"/upload/1", 5000, true, http.StatusRequestEntityTooLarge},
		{"/upload/1", 5000, false, http.StatusRequestEntityTooLarge},
		{"/other", 3000, true, http.StatusRequestEntityTooLarge},
		{"/other", 3000, false, http.StatusRequestEntityTooLarge},
	} {
		var body io.Reader = strings.NewReader(strings.Repeat("x", c.size))
		if !c.declared {
			body = io.MultiReader(body) // hides the length: sent chunked
		}
		req := httptest.NewRequest(http.MethodPost, c.path, body)
		if !c.declared {
			req.ContentLength = -1
		}
		if rec := serve(engine, req); rec.Code != c.want {
			t.Errorf("%s, %d bytes, declared %t: %d, want %d", c.path, c.size, c.declared, rec.Code, c.want)
		}
	}
}
