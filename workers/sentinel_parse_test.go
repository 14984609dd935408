package workers_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/kring-social/kring/workers"
)

func TestParseSentinelURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url  string
		want asynq.RedisFailoverClientOpt
	}{
		{url: "redis-sentinel://127.0.0.1:26379/mymaster",
			want: asynq.RedisFailoverClientOpt{MasterName: "mymaster", SentinelAddrs: []string{"127.0.0.1:26379"}}},
		{url: "redis-sentinel://:s3cret@s1:26379,s2:26380,s3/mymaster?db=3",
			want: asynq.RedisFailoverClientOpt{MasterName: "mymaster", SentinelAddrs: []string{"s1:26379", "s2:26380", "s3:26379"}, Password: "s3cret", DB: 3}},
		{url: "redis-sentinel://kring:s3cret@[::1]:26379/main?sentinel_password=other",
			want: asynq.RedisFailoverClientOpt{MasterName: "main", SentinelAddrs: []string{"[::1]:26379"}, Username: "kring", Password: "s3cret", SentinelPassword: "other"}},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			opt, err := workers.ParseRedisURL(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(opt, tt.want) {
				t.Errorf("got %#v, want %#v", opt, tt.want)
			}
		})
	}
}

func TestParseSentinelURLRefuses(t *testing.T) {
	t.Parallel()
	for url, why := range map[string]string{
		"redis-sentinel://:s3cret@s1:26379":                   "master",
		"redis-sentinel://:s3cret@s1:26379/":                  "master",
		"redis-sentinel://:s3cret@s1:26379/a/b":               "master",
		"redis-sentinel://:s3cret@s1:26379,/mymaster":         "empty sentinel address",
		"redis-sentinel://:s3cret@s1:99999/mymaster":          "port",
		"redis-sentinel://:s3cret@s1:26379/mymaster?db=x":     "database number",
		"redis-sentinel://:s3cret@s1:26379/mymaster?db=-1":    "database number",
		"redis-sentinel://:s3cret@s1:26379/mymaster?master=m": "unknown option",
	} {
		t.Run(url, func(t *testing.T) {
			_, err := workers.ParseRedisURL(url)
			if err == nil {
				t.Fatalf("accepted %q", url)
			}
			for _, want := range []string{"KRING_REDIS_URL", why} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

// A sentinel URL url.Parse refuses (no port on the last address) is still shown without its password.
func TestParseSentinelURLErrorHidesThePassword(t *testing.T) {
	t.Parallel()
	_, err := workers.ParseRedisURL("redis-sentinel://:s3cret@s1,s2/mymaster?db=x")
	if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "redis-sentinel://:xxxxx@s1,s2/mymaster") {
		t.Errorf("error %v", err)
	}
}
