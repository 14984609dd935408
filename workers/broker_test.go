package workers_test

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/kring-social/kring/test/testenv"
	"github.com/kring-social/kring/workers"
)

func TestParseRedisURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url     string
		wantOpt asynq.RedisConnOpt
		wantErr bool
	}{
		{url: "redis://127.0.0.1:6379/0", wantOpt: asynq.RedisClientOpt{Addr: "127.0.0.1:6379"}},
		{url: "redis://:s3cret@redis:6379/2", wantOpt: asynq.RedisClientOpt{Addr: "redis:6379", Password: "s3cret", DB: 2}},
		{url: "http://redis:6379", wantErr: true},
		{url: "redis://:s3cret@redis:6379/notanumber", wantErr: true},
		{url: "not a url", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			opt, err := workers.ParseRedisURL(tt.url)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("accepted %q", tt.url)
				}
				if !strings.Contains(err.Error(), "KRING_REDIS_URL") {
					t.Errorf("error %q does not name KRING_REDIS_URL", err)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Errorf("error %q shows the password", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if opt != tt.wantOpt {
				t.Errorf("got %#v, want %#v", opt, tt.wantOpt)
			}
		})
	}
}

func TestBrokerPinger(t *testing.T) {
	t.Parallel()
	live, err := workers.NewBrokerPinger(testenv.Redis(t))
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	if err := live.Ping(context.Background()); err != nil {
		t.Errorf("ping the test Redis: %v", err)
	}

	// A port nothing listens on: take one, then free it.
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := listener.Addr().String()
	_ = listener.Close()
	dead, err := workers.NewBrokerPinger(asynq.RedisClientOpt{Addr: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer dead.Close()
	if err := dead.Ping(context.Background()); err == nil {
		t.Error("ping of a closed port succeeded")
	}
}
