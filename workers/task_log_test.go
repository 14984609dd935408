package workers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/logctx"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/federation"
	"github.com/kring-social/kring/federation/delivery"
	"github.com/kring-social/kring/federation/fetch"
	"github.com/kring-social/kring/test/testenv"
	"github.com/kring-social/kring/workers"
)

// jsonLog collects the JSON lines of loggers used from the worker's goroutines.
type jsonLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *jsonLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// lines returns each line as written and decoded.
func (l *jsonLog) lines(t *testing.T) ([]string, []map[string]any) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	raw := strings.Split(strings.TrimSpace(l.buf.String()), "\n")
	decoded := make([]map[string]any, len(raw))
	for i, line := range raw {
		if err := json.Unmarshal([]byte(line), &decoded[i]); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
	}
	return raw, decoded
}

// TestTaskLinesCarryTheTaskID: what is logged while a task runs (here a delivery that fails once,
// then succeeds) carries the task's id and type, once per line, from the worker's own lines to the
// deliverer's, so the lines of one task can be found together.
func TestTaskLinesCarryTheTaskID(t *testing.T) {
	t.Parallel()
	var logs jsonLog
	logger := slog.New(logctx.Handler(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{DataDir: t.TempDir(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	testenv.Migrate(t, st)
	opt := testenv.Redis(t)
	wireDispatcher(t, st, opt)

	var calls atomic.Int32
	inbox := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(inbox.Close)

	if _, err := organisations.NewService(st).CreateOrganisation(ctx, "acme", "Acme"); err != nil {
		t.Fatal(err)
	}
	group, err := testenv.Groups(t, st).CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "lobby", Name: "Lobby"})
	if err != nil {
		t.Fatal(err)
	}
	public, _ := url.Parse("https://kring.example")
	iris := federation.NewIRIs(public)
	srv := newServer(t, st, opt, func(cfg *workers.Config) { cfg.Logger = logger })
	srv.HandleDeliveries(delivery.NewDeliverer(delivery.DeliverConfig{Store: st, Signers: delivery.NewKeyRing(st, iris),
		Poster: fetch.NewClient(fetch.Options{UserAgent: "Kring/test", Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
			AllowHTTP: true, Timeout: 3 * time.Second}),
		Logger: logger}))
	planner := delivery.Planner{}
	err = st.Transaction(ctx, func(tx *store.Store) error {
		return planner.ToInbox(ctx, tx, delivery.Activity{IRI: iris.NewActivity(), Type: "Accept", GroupID: group.ID,
			Body: []byte(`{"type":"Accept"}`)}, inbox.URL+"/inbox", "127.0.0.1")
	})
	if err != nil {
		t.Fatal(err)
	}
	var task model.QueuedTask
	if err := st.DB().Where("task_type = ?", tasks.TypeDeliverActivity).Take(&task).Error; err != nil {
		t.Fatal(err)
	}
	start(t, srv)
	waitFor(t, "the delivery task is done", func() bool { return rowGone(t, st, task.ID) })

	raw, lines := logs.lines(t)
	want := map[string]bool{"delivery failed; it will be retried": false, "task failed; will retry": false, "delivered": false}
	for i, line := range lines {
		message, _ := line["msg"].(string)
		if _, wanted := want[message]; !wanted {
			continue
		}
		want[message] = true
		if line["task_id"] != task.ID || line["task_type"] != tasks.TypeDeliverActivity {
			t.Errorf("%q: task %v (%v), want %s (%s)", message, line["task_id"], line["task_type"], task.ID, tasks.TypeDeliverActivity)
		}
		if n := strings.Count(raw[i], `"task_id"`); n != 1 {
			t.Errorf("%q names its task %d times: %s", message, n, raw[i])
		}
		if message != "task failed; will retry" && line["host"] != "127.0.0.1" {
			t.Errorf("%q does not name the host: %s", message, raw[i])
		}
		if testing.Verbose() {
			t.Log(raw[i])
		}
	}
	for message, seen := range want {
		if !seen {
			t.Errorf("no %q line in the log", message)
		}
	}
}
