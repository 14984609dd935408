package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/logctx"
)

// The process logger adds the request and task ids a context carries, in both formats.
func TestLoggerNamesTheRequestAndTheTask(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"text", "json"} {
		var out bytes.Buffer
		logger := newLogger(&Config{LogLevel: slog.LevelInfo, LogFormat: format}, &out).With("process", "worker")
		ctx := logctx.WithTaskID(logctx.WithRequestID(context.Background(), "req-7"), "task-8", "inbound:activity")
		logger.InfoContext(ctx, "inbound activity applied")
		for _, want := range []string{"req-7", "task-8", "inbound:activity", "request_id", "task_id", "task_type"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%s line %q lacks %q", format, out.String(), want)
			}
		}
	}
}
