package main

import (
	"io"
	"log/slog"

	"github.com/kring-social/kring/app/logctx"
)

// newLogger builds the process logger from the configuration. Every line logged with a context that
// carries a request id or a task id (logctx) names them, so the lines of one request or one task can
// be found together.
func newLogger(cfg *Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var handler slog.Handler = slog.NewTextHandler(w, opts)
	if cfg.LogFormat == "json" {
		handler = slog.NewJSONHandler(w, opts)
	}
	return slog.New(logctx.Handler(handler))
}
