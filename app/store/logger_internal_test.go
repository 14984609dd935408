package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"
	gormlogger "gorm.io/gorm/logger"
)

// traced records whether a query reached gorm's logger.
type traced struct {
	gormlogger.Interface
	calls *int
}

func (t traced) Trace(context.Context, time.Time, func() (string, int64), error) { *t.calls++ }

// Only the queries that will be logged reach gorm's logger (which renders every statement it gets):
// failed and slow ones, or all of them when the level asks for every query.
func TestQueryLoggerPassesOnOnlyWhatIsLogged(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		level  gormlogger.LogLevel
		began  time.Duration // ago
		err    error
		logged bool
	}{
		{"fast, successful", gormlogger.Warn, 0, nil, false},
		{"not found", gormlogger.Warn, 0, gorm.ErrRecordNotFound, false},
		{"failed", gormlogger.Warn, 0, errors.New("relation does not exist"), true},
		{"slow", gormlogger.Warn, 2 * slowQuery, nil, true},
		{"every query asked for", gormlogger.Info, 0, nil, true},
	} {
		calls := 0
		l := queryLogger{Interface: traced{calls: &calls}, level: tc.level}
		l.Trace(context.Background(), time.Now().Add(-tc.began), func() (string, int64) { return "", 0 }, tc.err)
		if got := calls == 1; got != tc.logged {
			t.Errorf("%s: passed on %v, want %v", tc.name, got, tc.logged)
		}
	}
}
