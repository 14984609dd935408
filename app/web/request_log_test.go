package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/logctx"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/web"
	"github.com/kring-social/kring/test/testenv"
)

// syncBuffer is a log destination shared by the handlers of concurrent requests.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var lines []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(b.buf.String()), "\n") {
		var record map[string]any
		if err := json.Unmarshal([]byte(line), &record); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		lines = append(lines, record)
	}
	return lines
}

// TestRequestLinesShareTheRequestID: everything logged while serving a request (the web layer's
// lines, the store's lines about its queries, a readiness check's) carries the request id of the
// access log line, so the lines of one request can be found together; concurrent requests keep
// theirs apart.
func TestRequestLinesShareTheRequestID(t *testing.T) {
	var logs syncBuffer
	logger := slog.New(logctx.Handler(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	// A store with no tables: each query fails, and the store logs the failure.
	st, err := store.Open(context.Background(), store.Options{DataDir: t.TempDir(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	served := testenv.ServeEngine(t, web.Options{Logger: logger, Readiness: []web.ReadinessCheck{{Name: "broker",
		Check: func(context.Context) error { return errors.New("broker down") }}}})
	served.Engine.GET("/deliveries/:id", func(c *gin.Context) {
		ctx := c.Request.Context()
		if _, err := st.DeliveryByID(ctx, c.Param("id")); err != nil {
			logger.ErrorContext(ctx, "delivery not loaded", "error", err)
			c.Status(http.StatusServiceUnavailable)
			return
		}
		c.Status(http.StatusOK)
	})

	paths := []string{"/deliveries/d1", "/deliveries/d2", "/deliveries/d3", "/readyz"}
	ids := make([]string, len(paths))
	var wg sync.WaitGroup
	for i, path := range paths {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodGet, served.Server.URL+path, nil)
			if i == 0 {
				req.Header.Set("X-Request-ID", "from-the-proxy-1")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			_ = resp.Body.Close()
			ids[i] = resp.Header.Get("X-Request-ID")
		})
	}
	wg.Wait()
	if ids[0] != "from-the-proxy-1" {
		t.Errorf("request id %q, want the proxy's", ids[0])
	}

	byID := map[string][]string{} // request id -> the messages logged under it
	for _, line := range logs.lines(t) {
		id, _ := line["request_id"].(string)
		message, _ := line["msg"].(string)
		if message == "SQL executed" {
			if trace, _ := line["trace"].(map[string]any); trace != nil {
				if sql, _ := trace["sql"].(string); strings.Contains(sql, "deliveries") {
					message = "SQL executed on deliveries"
				}
			}
		}
		if id == "" {
			t.Errorf("a line logged while serving requests carries no request id: %v", line)
		}
		byID[id] = append(byID[id], message)
	}
	for i, path := range paths {
		want := []string{"SQL executed on deliveries", "delivery not loaded", "http request"}
		if path == "/readyz" {
			want = []string{"readiness check failed", "http request"}
		}
		got := byID[ids[i]]
		for _, message := range want {
			if !slices.Contains(got, message) {
				t.Errorf("%s (request %s): lines %q, want one %q", path, ids[i], got, message)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s (request %s): lines %q, want %q", path, ids[i], got, want)
		}
	}
}

// TestAccessLineNamesTheRequestOnce: the access log line carries the request id once, even when the
// engine is given a logger nobody wrapped.
func TestAccessLineNamesTheRequestOnce(t *testing.T) {
	for _, wrapped := range []bool{true, false} {
		var logs syncBuffer
		var handler slog.Handler = slog.NewJSONHandler(&logs, nil)
		if wrapped {
			handler = logctx.Handler(handler)
		}
		served := testenv.ServeEngine(t, web.Options{Logger: slog.New(handler)})
		req, _ := http.NewRequest(http.MethodGet, served.Server.URL+"/nowhere", nil)
		req.Header.Set("X-Request-ID", "once-please")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		logs.mu.Lock()
		text := logs.buf.String()
		logs.mu.Unlock()
		if n := strings.Count(text, `"request_id":"once-please"`); n != 1 {
			t.Errorf("wrapped %t: the request id appears %d times in %s, want once", wrapped, n, text)
		}
	}
}
