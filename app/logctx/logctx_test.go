package logctx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/logctx"
)

// jsonLines reads the JSON log lines written to buf.
func jsonLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		var record map[string]any
		if err := json.Unmarshal([]byte(line), &record); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		lines = append(lines, record)
	}
	return lines
}

func TestHandlerAddsTheIDsOfTheContext(t *testing.T) {
	t.Parallel()
	background := context.Background()
	request := logctx.WithRequestID(background, "req-1")
	taskCtx := logctx.WithTaskID(background, "task-9", "delivery:batch")
	both := logctx.WithTaskID(request, "task-9", "delivery:batch")
	cases := []struct {
		name string
		ctx  context.Context
		want map[string]string // absent keys map to ""
	}{
		{"none", background, map[string]string{"request_id": "", "task_id": "", "task_type": ""}},
		{"request", request, map[string]string{"request_id": "req-1", "task_id": "", "task_type": ""}},
		{"task", taskCtx, map[string]string{"request_id": "", "task_id": "task-9", "task_type": "delivery:batch"}},
		{"both", both, map[string]string{"request_id": "req-1", "task_id": "task-9", "task_type": "delivery:batch"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			logger := slog.New(logctx.Handler(slog.NewJSONHandler(&buf, nil))).With("component", "worker")
			logger.InfoContext(tc.ctx, "something happened", "n", 1)
			lines := jsonLines(t, &buf)
			if len(lines) != 1 {
				t.Fatalf("%d lines, want 1", len(lines))
			}
			line := lines[0]
			for key, want := range tc.want {
				got, present := line[key]
				if want == "" && present {
					t.Errorf("%s = %v, want none", key, got)
				}
				if want != "" && got != want {
					t.Errorf("%s = %v, want %q", key, got, want)
				}
			}
			if line["component"] != "worker" || line["n"] != 1.0 || line["msg"] != "something happened" {
				t.Errorf("the record's own attributes were lost: %v", line)
			}
		})
	}
}

// The ids stay at the top level of a record whose logger opened groups, where a search for them
// finds them.
func TestHandlerKeepsTheIDsOutOfGroups(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(logctx.Handler(slog.NewJSONHandler(&buf, nil))).
		With("process", "worker").WithGroup("delivery").With("host", "remote.example")
	logger.WarnContext(logctx.WithRequestID(context.Background(), "req-2"), "failed", "attempt", 3)
	logger.WarnContext(context.Background(), "failed", "attempt", 4)
	lines := jsonLines(t, &buf)
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2", len(lines))
	}
	for i, line := range lines {
		group, _ := line["delivery"].(map[string]any)
		if line["process"] != "worker" || group["host"] != "remote.example" || group["attempt"] != float64(3+i) {
			t.Errorf("line %d lost its attributes or groups: %v", i, line)
		}
		if _, nested := group["request_id"]; nested {
			t.Errorf("line %d: the request id went into the group: %v", i, line)
		}
	}
	if lines[0]["request_id"] != "req-2" {
		t.Errorf("request_id = %v, want req-2 at the top level", lines[0]["request_id"])
	}
	if _, present := lines[1]["request_id"]; present {
		t.Errorf("a record without ids got one: %v", lines[1])
	}
}

// Wrapping twice (cmd wraps the process logger, a component wraps what it is given) adds each id
// once.
func TestHandlerWrapsOnce(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	once := logctx.Handler(slog.NewTextHandler(&buf, nil))
	twice := logctx.Handler(slog.New(once).With("a", 1).Handler())
	slog.New(logctx.Handler(twice)).InfoContext(logctx.WithRequestID(context.Background(), "r"), "x")
	if n := strings.Count(buf.String(), "request_id="); n != 1 {
		t.Errorf("request_id written %d times, want once: %s", n, buf.String())
	}
}

func TestHandlerKeepsTheLevel(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(logctx.Handler(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn})))
	ctx := logctx.WithTaskID(context.Background(), "t", "inbound:activity")
	logger.InfoContext(ctx, "quiet")
	if buf.Len() != 0 || logger.Enabled(ctx, slog.LevelInfo) {
		t.Errorf("an info line passed a warn-level handler: %q", buf.String())
	}
}

func TestAccessors(t *testing.T) {
	t.Parallel()
	ctx := logctx.WithTaskID(logctx.WithRequestID(context.Background(), "r1"), "t1", "scheduled:publish")
	if got := logctx.RequestID(ctx); got != "r1" {
		t.Errorf("RequestID = %q", got)
	}
	if id, taskType := logctx.TaskID(ctx); id != "t1" || taskType != "scheduled:publish" {
		t.Errorf("TaskID = %q, %q", id, taskType)
	}
	if id, _ := logctx.TaskID(context.Background()); id != "" || logctx.RequestID(context.Background()) != "" {
		t.Error("an empty context carries ids")
	}
}
