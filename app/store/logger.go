package store

import (
	"context"
	"log/slog"
	"time"

	"gorm.io/gorm"
	gormlogger "gorm.io/gorm/logger"
)

// newQueryLogger logs slow and failed queries through slog. Queries are logged without their values,
// so no password hash, key or private text reaches the log; unique violations are left to the callers,
// which turn them into conflicts the person who caused them is told about.
func newQueryLogger(logger *slog.Logger) gormlogger.Interface {
	return queryLogger{gormlogger.NewSlogLogger(logger, gormlogger.Config{
		SlowThreshold:             500 * time.Millisecond,
		LogLevel:                  gormlogger.Warn,
		IgnoreRecordNotFoundError: true,
		ParameterizedQueries:      true,
	})}
}

type queryLogger struct{ gormlogger.Interface }

func (l queryLogger) LogMode(level gormlogger.LogLevel) gormlogger.Interface {
	return queryLogger{l.Interface.LogMode(level)}
}

func (l queryLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if isUniqueViolation(err) {
		err = nil // still logged if slow, as any query
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
