package certs

import (
	"context"
	"log/slog"
	"maps"
	"slices"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// zapFor passes certmagic's log (zap) to Kring's slog logger, so obtaining and renewing show in the
// same format and at the same level setting as everything else.
func zapFor(logger *slog.Logger) *zap.Logger {
	return zap.New(slogCore{logger: logger.With("component", "acme")})
}

type slogCore struct {
	logger *slog.Logger
	fields []zapcore.Field
}

func (c slogCore) Enabled(level zapcore.Level) bool {
	return c.logger.Enabled(context.Background(), slogLevel(level))
}

func (c slogCore) With(fields []zapcore.Field) zapcore.Core {
	return slogCore{logger: c.logger, fields: append(append([]zapcore.Field(nil), c.fields...), fields...)}
}

func (c slogCore) Check(entry zapcore.Entry, checked *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(entry.Level) {
		return checked.AddCore(entry, c)
	}
	return checked
}

func (c slogCore) Write(entry zapcore.Entry, fields []zapcore.Field) error {
	encoder := zapcore.NewMapObjectEncoder()
	for _, field := range append(append([]zapcore.Field(nil), c.fields...), fields...) {
		field.AddTo(encoder)
	}
	attrs := make([]any, 0, 2*len(encoder.Fields)+2)
	for _, key := range slices.Sorted(maps.Keys(encoder.Fields)) {
		attrs = append(attrs, key, encoder.Fields[key])
	}
	if entry.LoggerName != "" {
		attrs = append(attrs, "logger", entry.LoggerName)
	}
	c.logger.Log(context.Background(), slogLevel(entry.Level), entry.Message, attrs...)
	return nil
}

func (c slogCore) Sync() error { return nil }

// slogLevel maps zap's levels; certmagic's debug chatter stays at debug.
func slogLevel(level zapcore.Level) slog.Level {
	switch {
	case level >= zapcore.ErrorLevel:
		return slog.LevelError
	case level == zapcore.WarnLevel:
		return slog.LevelWarn
	case level == zapcore.InfoLevel:
		return slog.LevelInfo
	default:
		return slog.LevelDebug
	}
}
