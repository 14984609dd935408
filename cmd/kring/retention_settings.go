package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Bounds of KRING_ANALYTICS_RETENTION: under a day, a delivery still retrying (for hours, with
// backoff) would outlive its settled siblings by little, and a mistyped "90m" would wipe the history
// operators look into; ten years is more than any history anyone asked for.
const (
	day               = 24 * time.Hour
	shortestRetention = day
	longestRetention  = 3650 * day
)

func applyAnalyticsRetention(c *Config, v string) (err error) {
	c.AnalyticsRetention, err = parseRetention(v)
	return err
}

// parseRetention reads a period in whole days (90d, or 90) or as a Go duration (2160h), from 1 day to
// 3650 days.
func parseRetention(v string) (time.Duration, error) {
	var d time.Duration
	days, err := strconv.Atoi(strings.TrimSuffix(v, "d"))
	if err == nil {
		d = time.Duration(days) * day
	} else if d, err = time.ParseDuration(v); err != nil {
		d = 0
	}
	if d < shortestRetention || d > longestRetention || days > int(longestRetention/day) {
		return 0, fmt.Errorf("%q is not a period from 1 day to 3650 days, such as 90d (days) or 2160h", v)
	}
	return d, nil
}
