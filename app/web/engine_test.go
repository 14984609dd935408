package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

func newTestEngine(t *testing.T, logs *bytes.Buffer, checks ...ReadinessCheck) *gin.Engine {
	t.Helper()
	gin.SetMode(gin.TestMode)
	engine, err := NewEngine(Options{
		Logger:       slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		MaxBodyBytes: 1024,
		Readiness:    checks,
	})
	if err != nil {
		t.Fatal(err)
	}
	return engine
}

func serve(engine http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	engine.ServeHTTP(rec, req)
	return rec
}

func TestHealthzAnswersWithoutDependencies(t *testing.T) {
	var logs bytes.Buffer
	failing := ReadinessCheck{Name: "database", Check: func(context.Context) error { return errors.New("down") }}
	rec := serve(newTestEngine(t, &logs, failing), httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("healthz = %d, want 200 even with the database down", rec.Code)
	}
}

func TestReadyzReportsEachDependency(t *testing.T) {
	ok := ReadinessCheck{Name: "broker", Check: func(context.Context) error { return nil }}
	down := ReadinessCheck{Name: "database", Check: func(context.Context) error { return errors.New("connection refused") }}
	cases := []struct {
		name   string
		checks []ReadinessCheck
		status int
		body   map[string]string
	}{
		{"all up", []ReadinessCheck{ok}, 200, map[string]string{"broker": "ok"}},
		{"one down", []ReadinessCheck{ok, down}, 503, map[string]string{"broker": "ok", "database": "unavailable"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			rec := serve(newTestEngine(t, &logs, tc.checks...), httptest.NewRequest(http.MethodGet, "/readyz", nil))
			if rec.Code != tc.status {
				t.Fatalf("status = %d, want %d", rec.Code, tc.status)
			}
			var body struct{ Checks map[string]string }
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			for name, want := range tc.body {
				if body.Checks[name] != want {
					t.Errorf("check %s = %q, want %q", name, body.Checks[name], want)
				}
			}
			if strings.Contains(rec.Body.String(), "connection refused") {
				t.Error("readyz must not reveal the cause to the caller")
			}
			if tc.status == 503 && !strings.Contains(logs.String(), "connection refused") {
				t.Error("the cause must reach the log")
			}
		})
	}
}

func TestOversizeBodiesAreRefused(t *testing.T) {
	var logs bytes.Buffer
	engine := newTestEngine(t, &logs)
	var readErr error
	engine.POST("/echo", func(c *gin.Context) {
		_, readErr = io.ReadAll(c.Request.Body)
		if readErr != nil {
			respondError(c, slog.Default(), readErr)
			return
		}
		c.Status(http.StatusNoContent)
	})

	declared := httptest.NewRequest(http.MethodPost, "/echo", strings.NewReader(strings.Repeat("x", 2048)))
	if rec := serve(engine, declared); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("declared oversize body: status %d, want 413", rec.Code)
	}

	// A body without Content-Length is cut off at the limit while it is read.
	undeclared := httptest.NewRequest(http.MethodPost, "/echo", io.MultiReader(strings.NewReader(strings.Repeat("x", 2048))))
	undeclared.ContentLength = -1
	if rec := serve(engine, undeclared); rec.Code != http.StatusRequestEntityTooLarge || readErr == nil {
		t.Errorf("undeclared oversize body: status %d, read error %v; want 413 and an error", rec.Code, readErr)
	}

	small := httptest.NewRequest(http.MethodPost, "/echo", strings.NewReader("hello"))
	if rec := serve(engine, small); rec.Code != http.StatusNoContent {
		t.Errorf("small body: status %d, want 204", rec.Code)
	}
	if !strings.Contains(logs.String(), "request body too large") {
		t.Error("refusals must be logged with their reason")
	}
}

func TestPanicsBecomeLogged500s(t *testing.T) {
	var logs bytes.Buffer
	engine := newTestEngine(t, &logs)
	engine.GET("/boom", func(*gin.Context) { panic("kaboom") })
	rec := serve(engine, httptest.NewRequest(http.MethodGet, "/boom", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status = %d, want 500", rec.Code)
	}
	if strings.Contains(rec.Body.String(), "kaboom") {
		t.Error("the panic value must not reach the client")
	}
	if !strings.Contains(logs.String(), "kaboom") {
		t.Error("the panic must be logged")
	}
}

func TestRequestIDIsEchoedOrMade(t *testing.T) {
	var logs bytes.Buffer
	engine := newTestEngine(t, &logs)
	req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	req.Header.Set("X-Request-ID", "abc-123")
	if got := serve(engine, req).Header().Get("X-Request-ID"); got != "abc-123" {
		t.Errorf("request id = %q, want the proxy's", got)
	}
	req = httptest.NewRequest(http.MethodGet, "/healthz", nil)
	req.Header.Set("X-Request-ID", "bad id\x01")
	if got := serve(engine, req).Header().Get("X-Request-ID"); got == "" || strings.Contains(got, " ") {
		t.Errorf("request id = %q, want a fresh one", got)
	}
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	var logs bytes.Buffer
	engine := newTestEngine(t, &logs)
	if rec := serve(engine, httptest.NewRequest(http.MethodGet, "/nope", nil)); rec.Code != 404 {
		t.Errorf("unknown path = %d, want 404", rec.Code)
	}
	if rec := serve(engine, httptest.NewRequest(http.MethodDelete, "/healthz", nil)); rec.Code != 405 {
		t.Errorf("wrong method = %d, want 405", rec.Code)
	}
}
