package delivery_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/federation/delivery"
	"github.com/kring-social/kring/federation/fetch"
	"github.com/kring-social/kring/federation/signing"
	"github.com/kring-social/kring/test/testenv"
)

// capturedLog collects JSON log lines written from concurrent goroutines.
type capturedLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (c *capturedLog) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.Write(p)
}

func (c *capturedLog) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(c, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// linesAbout returns the lines at level or above naming delivery.
func (c *capturedLog) linesAbout(t *testing.T, delivery string, level slog.Level) []map[string]any {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	var found []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(c.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var record map[string]any
		if err := json.Unmarshal([]byte(line), &record); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		var lineLevel slog.Level
		if err := lineLevel.UnmarshalText([]byte(fmt.Sprint(record["level"]))); err != nil {
			t.Fatal(err)
		}
		if record["delivery"] == delivery && lineLevel >= level {
			found = append(found, record)
		}
	}
	return found
}

// failingSigners fails every lookup with err.
type failingSigners struct{ err error }

func (f failingSigners) SignerFor(context.Context, model.OutboundActivity) (signing.Signer, error) {
	return signing.Signer{}, f.err
}

// TestAttemptErrorsAreLoggedAndRetriedOnlyWhenTheyCanPass: an attempt that fails before any request
// (the group's key is missing or unreadable, the database failed) is logged with the activity, the
// host and the attempt, whether a batch or a single task made it. What cannot succeed later (no usable
// key) is abandoned at once; a database error is retried.
func TestAttemptErrorsAreLoggedAndRetriedOnlyWhenTheyCanPass(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		breakKey  func(t *testing.T, f *fixture) // nil keeps the key
		signers   func(f *fixture) delivery.Signers
		retried   bool
		errorText string // in the delivery's last error (abandoned) or the log line (retried)
	}{
		{name: "unparseable group key", retried: false, errorText: "key",
			breakKey: func(t *testing.T, f *fixture) {
				if err := f.st.DB().Model(&model.SigningKey{}).Where("group_id = ?", f.group.ID).
					Update("private_pem", "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n").Error; err != nil {
					t.Fatal(err)
				}
			}},
		{name: "missing group key", retried: false, errorText: "key",
			breakKey: func(t *testing.T, f *fixture) {
				if err := f.st.DB().Where("group_id = ?", f.group.ID).Delete(&model.SigningKey{}).Error; err != nil {
					t.Fatal(err)
				}
			}},
		{name: "database error", retried: true, errorText: "connection reset",
			signers: func(*fixture) delivery.Signers {
				return failingSigners{err: fmt.Errorf("find signing key of group: %w", errors.New("connection reset by peer"))}
			}},
	}
	for _, tc := range cases {
		for _, batch := range []bool{true, false} {
			path := map[bool]string{true: "batch", false: "single"}[batch]
			t.Run(strings.ReplaceAll(tc.name, " ", "_")+"/"+path, func(t *testing.T) {
				t.Parallel()
				st := testenv.Postgres(t)
				srv, calls := sink(t) // the case's own inbox: what reaches it was sent by this case
				f := newFixture(t, st)
				f.planner.Batch = true
				if tc.breakKey != nil {
					tc.breakKey(t, f)
				}
				var signers delivery.Signers = delivery.NewKeyRing(st, f.iris)
				if tc.signers != nil {
					signers = tc.signers(f)
				}
				var logs capturedLog
				f.deliverer = delivery.NewDeliverer(delivery.DeliverConfig{Store: st, Poster: fetch.NewClient(fetch.Options{UserAgent: "Kring/test",
					Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, AllowHTTP: true, Timeout: 3 * time.Second}),
					Signers: signers, Now: time.Now, Logger: logs.logger()})

				f.follower(t, 1, "127.0.0.1", srv.URL+"/users/1/inbox", "", model.FollowAccepted)
				if n := f.fanOut(t); n != 1 {
					t.Fatalf("planned %d deliveries, want 1", n)
				}
				planned := f.onlyDelivery(t)
				planTasks := f.retryTasks(t)
				var err error
				if batch {
					err = f.deliverer.DeliverBatch(context.Background(), []string{planned.ID})
				} else {
					err = f.deliverer.Deliver(context.Background(), planned.ID, false)
				}
				got := f.onlyDelivery(t)
				retryTasks := f.retryTasks(t) - planTasks

				if tc.retried {
					switch {
					case batch && (err != nil || retryTasks != 1):
						t.Errorf("batch = %v with %d retry tasks; want nil and the delivery retried as its own task", err, retryTasks)
					case !batch && err == nil:
						t.Error("single delivery = nil; want an error, so the task is retried")
					}
					if got.State != model.DeliveryPending {
						t.Errorf("delivery %s, want pending", got.State)
					}
				} else {
					if err != nil || retryTasks != 0 {
						t.Errorf("= %v with %d retry tasks; want nil and no retry: no later attempt could succeed", err, retryTasks)
					}
					if got.State != model.DeliveryAbandoned || got.Attempts != 1 || !strings.Contains(got.LastError, tc.errorText) {
						t.Errorf("delivery %s after %d attempt(s), error %q; want abandoned after 1, the error naming %q",
							got.State, got.Attempts, got.LastError, tc.errorText)
					}
				}
				if sent := calls.Load(); sent != 0 {
					t.Errorf("%d requests sent without a signer", sent)
				}

				lines := logs.linesAbout(t, planned.ID, slog.LevelWarn)
				if len(lines) != 1 {
					t.Fatalf("%d warning or error lines about the delivery, want 1: %v", len(lines), lines)
				}
				line := lines[0]
				if line["activity"] != planned.OutboundActivityID || line["host"] != "127.0.0.1" || line["attempt"] != 1.0 {
					t.Errorf("log line %v; want activity %s, host 127.0.0.1, attempt 1", line, planned.OutboundActivityID)
				}
				if !strings.Contains(fmt.Sprint(line), tc.errorText) {
					t.Errorf("log line %v does not name the error (%q)", line, tc.errorText)
				}
				record, err := st.RemoteHostByName(context.Background(), "127.0.0.1")
				if err == nil && record.ConsecutiveFailures != 0 {
					t.Errorf("the host was charged a failure for a delivery never sent: %+v", record)
				}
			})
		}
	}
}

// TestBatchSkipsDeliveriesThatAreGone: a batch whose deliveries were deleted since (their group went)
// or settled sends nothing and retries nothing.
func TestBatchSkipsDeliveriesThatAreGone(t *testing.T) {
	t.Parallel()
	st := testenv.SQLite(t)
	f := newFixture(t, st)
	f.planner.Batch = true
	var logs capturedLog
	f.deliverer = delivery.NewDeliverer(delivery.DeliverConfig{Store: st, Poster: fetch.NewClient(fetch.Options{UserAgent: "Kring/test"}),
		Signers: delivery.NewKeyRing(st, f.iris), Logger: logs.logger()})
	srv, calls := sink(t)
	f.follower(t, 1, "127.0.0.1", srv.URL+"/users/1/inbox", "", model.FollowAccepted)
	f.fanOut(t)
	planned := f.onlyDelivery(t)
	planTasks := f.retryTasks(t)
	if err := st.DB().Where("id = ?", planned.OutboundActivityID).Delete(&model.OutboundActivity{}).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.deliverer.DeliverBatch(context.Background(), []string{planned.ID}); err != nil {
		t.Fatalf("batch of deliveries gone = %v, want nil", err)
	}
	if err := f.deliverer.Deliver(context.Background(), planned.ID, false); err != nil {
		t.Fatalf("delivery gone = %v, want nil", err)
	}
	if n := f.retryTasks(t) - planTasks; n != 0 || calls.Load() != 0 {
		t.Errorf("%d retry tasks, %d requests; want none", n, calls.Load())
	}
	if lines := logs.linesAbout(t, planned.ID, slog.LevelDebug); len(lines) == 0 {
		t.Error("skipping a delivery that is gone leaves no line in the log")
	}
	var n int64
	if err := st.DB().Model(&model.Delivery{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d deliveries left; the cascade should have removed the one planned", n)
	}
}
