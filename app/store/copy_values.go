package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// sqliteTimeLayouts are the ways a time may stand in a SQLite TIMESTAMP column: the driver's own
// (what the store writes) and SQLite's CURRENT_TIMESTAMP.
var sqliteTimeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02",
}

// toPostgres turns a value read from SQLite into what a PostgreSQL column of dataType takes. SQLite
// keeps booleans as 0/1 and times as text (or hands back time.Time for TIMESTAMP columns); the
// store writes times in UTC (dbTime), and PostgreSQL's TIMESTAMP has no zone, so times go over in UTC
// with microseconds, exactly what the store would have written there.
func toPostgres(value any, dataType string) (any, error) {
	if value == nil {
		return nil, nil
	}
	if b, ok := value.([]byte); ok && dataType != "bytea" {
		value = string(b)
	}
	switch {
	case dataType == "boolean":
		return toBool(value)
	case strings.HasPrefix(dataType, "timestamp") || dataType == "date":
		t, err := toTime(value)
		if err != nil {
			return nil, err
		}
		return dbTime(t), nil
	case dataType == "bigint" || dataType == "integer" || dataType == "smallint":
		return toInt(value)
	}
	return value, nil
}

func toBool(value any) (bool, error) {
	switch v := value.(type) {
	case bool:
		return v, nil
	case int64:
		return v != 0, nil
	case string:
		return strconv.ParseBool(v)
	}
	return false, fmt.Errorf("%T %v is not a boolean", value, value)
}

func toTime(value any) (time.Time, error) {
	switch v := value.(type) {
	case time.Time:
		return v, nil
	case string:
		for _, layout := range sqliteTimeLayouts {
			if t, err := time.Parse(layout, v); err == nil {
				return t, nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("%T %v is not a time", value, value)
}

func toInt(value any) (int64, error) {
	switch v := value.(type) {
	case int64:
		return v, nil
	case string:
		return strconv.ParseInt(v, 10, 64)
	case float64:
		if v == float64(int64(v)) {
			return int64(v), nil
		}
	}
	return 0, fmt.Errorf("%T %v is not a whole number", value, value)
}
