package workers

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/hibiken/asynq"
)

// asynqLogger writes asynq's own log lines through slog.
type asynqLogger struct {
	logger *slog.Logger
}

var _ asynq.Logger = asynqLogger{}

func (l asynqLogger) Debug(args ...any) { l.log(slog.LevelDebug, args) }
func (l asynqLogger) Info(args ...any)  { l.log(slog.LevelInfo, args) }
func (l asynqLogger) Warn(args ...any)  { l.log(slog.LevelWarn, args) }
func (l asynqLogger) Error(args ...any) { l.log(slog.LevelError, args) }

// Fatal is part of asynq's Logger contract: log, then exit.
func (l asynqLogger) Fatal(args ...any) {
	l.log(slog.LevelError, args)
	os.Exit(1)
}

func (l asynqLogger) log(level slog.Level, args []any) {
	l.logger.Log(context.Background(), level, fmt.Sprint(args...))
}
