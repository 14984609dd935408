package store

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"gorm.io/gorm"
	gormlogger "gorm.io/gorm/logger"
)

// slowQuery is how long a query may take before it is logged.
const slowQuery = 500 * time.Millisecond

// newQueryLogger logs slow and failed queries through slog. Queries are logged without their values,
// so no password hash, key or private text reaches the log; unique violations are left to the callers,
// which turn them into conflicts the person who caused them is told about.
func newQueryLogger(logger *slog.Logger) gormlogger.Interface {
	return queryLogger{Interface: gormlogger.NewSlogLogger(logger, gormlogger.Config{
		SlowThreshold:             slowQuery,
		LogLevel:                  gormlogger.Warn,
		IgnoreRecordNotFoundError: true,
		ParameterizedQueries:      true,
	}), level: gormlogger.Warn}
}

type queryLogger struct {
	gormlogger.Interface
	level gormlogger.LogLevel
}

func (l queryLogger) LogMode(level gormlogger.LogLevel) gormlogger.Interface {
	return queryLogger{Interface: l.Interface.LogMode(level), level: level}
}

// Trace hands a query to gorm's logger only when it will be logged: gorm's slog logger renders the
// statement for every query before deciding, which cost the worker 7 % of its CPU on the inbox path.
func (l queryLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if isUniqueViolation(err) || errors.Is(err, gorm.ErrRecordNotFound) {
		err = nil // still logged if slow, as any query
	}
	if err == nil && l.level < gormlogger.Info && time.Since(begin) <= slowQuery {
		return
	}
	l.Interface.Trace(ctx, begin, fc, err)
}

// ParamsFilter drops the values from logged SQL (gorm asks the logger through this optional method).
func (l queryLogger) ParamsFilter(ctx context.Context, sql string, params ...any) (string, []any) {
	if filter, ok := l.Interface.(gorm.ParamsFilter); ok {
		return filter.ParamsFilter(ctx, sql, params...)
	}
	return sql, nil
}
