package main

import (
	"strings"
	"testing"
	"time"
)

// KRING_ANALYTICS_RETENTION: 90 days unless set; days or a Go duration from 1 day to 3650 days;
// anything else stops the start naming the setting.
func TestLoadConfigAnalyticsRetention(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(nil, envFrom(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.AnalyticsRetention != 90*24*time.Hour {
		t.Errorf("default retention %s, want 90 days", cfg.AnalyticsRetention)
	}
	for value, want := range map[string]time.Duration{"30d": 30 * 24 * time.Hour, "365": 365 * 24 * time.Hour,
		"36h": 36 * time.Hour, "24h": 24 * time.Hour, "3650d": 3650 * 24 * time.Hour} {
		cfg, err := loadConfig(nil, envFrom(map[string]string{"KRING_ANALYTICS_RETENTION": value}))
		if err != nil {
			t.Errorf("%q refused: %v", value, err)
			continue
		}
		if cfg.AnalyticsRetention != want {
			t.Errorf("%q read as %s, want %s", value, cfg.AnalyticsRetention, want)
		}
	}
	for _, value := range []string{"0", "0d", "23h", "90m", "-5d", "3651d", "99999999999d", "forever", "d", ""} {
		_, err := loadConfig(nil, envFrom(map[string]string{"KRING_ANALYTICS_RETENTION": value}))
		if err == nil || !strings.Contains(err.Error(), "KRING_ANALYTICS_RETENTION") || !strings.Contains(err.Error(), "from 1 day to 3650 days") {
			t.Errorf("%q: %v, want a refusal naming the setting and its range", value, err)
		}
	}
}
