package workers_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/test/testenv"
	"github.com/kring-social/kring/workers"
)

const sentinelMaster = "kringtest"

// sentinelSetup is a master, its replica and one sentinel watching them, each a redis-server of its
// own on a free port, stopped when the test ends.
type sentinelSetup struct {
	master, replica, sentinel int // ports
}

func startSentinelSetup(t *testing.T) sentinelSetup {
	t.Helper()
	program, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not installed: the Sentinel test needs it (scripts/test installs it)")
	}
	s := sentinelSetup{master: freePort(t), replica: freePort(t), sentinel: freePort(t)}
	env := map[string]string{"PATH": os.Getenv("PATH")}
	common := []string{"--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir()}
	testenv.StartProcess(t, program, env, append([]string{"--port", strconv.Itoa(s.master)}, common...)...)
	testenv.StartProcess(t, program, env, append([]string{"--port", strconv.Itoa(s.replica),
		"--replicaof", "127.0.0.1", strconv.Itoa(s.master)}, common...)...)
	// A sentinel rewrites its configuration file, so it gets one of its own.
	conf := filepath.Join(t.TempDir(), "sentinel.conf")
	config := fmt.Sprintf("bind 127.0.0.1\nport %d\nsentinel monitor %s 127.0.0.1 %d 1\n"+
		"sentinel down-after-milliseconds %[2]s 2000\nsentinel failover-timeout %[2]s 10000\n", s.sentinel, sentinelMaster, s.master)
	if err := os.WriteFile(conf, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	testenv.StartProcess(t, program, env, conf, "--sentinel")

	// Ready once the sentinel has found the replica through the master and sees it in sync: a
	// failover needs a replica it knows.
	client := s.sentinelClient(t)
	poll(t, "the sentinel sees the replica in sync", 30*time.Second, func() bool {
		replicas, err := client.Replicas(context.Background(), sentinelMaster).Result()
		return err == nil && len(replicas) == 1 && replicas[0]["flags"] == "slave" && replicas[0]["master-link-status"] == "ok"
	})
	return s
}

func (s sentinelSetup) sentinelClient(t *testing.T) *redis.SentinelClient {
	client := redis.NewSentinelClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", s.sentinel)})
	t.Cleanup(func() { _ = client.Close() })
	return client
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func poll(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting until %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Kring's queue through Redis Sentinel, as KRING_REDIS_URL=redis-sentinel://… sets it up: a task
// recorded in a transaction is enqueued on the master the sentinel names and run by a worker; after
// the sentinel fails the master over to its replica, the next task is enqueued on the new master and
// runs too, with no change of configuration.
func TestQueueThroughSentinelSurvivesAFailover(t *testing.T) {
	t.Parallel()
	s := startSentinelSetup(t)
	opt, err := workers.ParseRedisURL(fmt.Sprintf("redis-sentinel://127.0.0.1:%d/%s?db=2", s.sentinel, sentinelMaster))
	if err != nil {
		t.Fatal(err)
	}
	st := testenv.Postgres(t)
	wireDispatcher(t, st, opt)
	ran := make(chan string, 2)
	// The sweeper as in production, every 5 s: it is what re-enqueues a task whose enqueue met the
	// failover.
	srv := newServer(t, st, opt, func(cfg *workers.Config) { cfg.SweepInterval = workers.DefaultSweepInterval })
	srv.HandleFunc(tasks.TypeDeliverActivity, func(_ context.Context, task *asynq.Task) error {
		payload, err := workers.DecodePayload[tasks.DeliverActivityPayload](task)
		if err != nil {
			return err
		}
		ran <- payload.DeliveryID
		return nil
	})
	start(t, srv)

	// The data is where the URL says: database 2 of the master.
	master := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", s.master), DB: 2})
	t.Cleanup(func() { _ = master.Close() })
	runs := func(deliveryID string) {
		t.Helper()
		row := record(t, st, tasks.NewDeliverActivityTask(deliveryID))
		select {
		case got := <-ran:
			if got != deliveryID {
				t.Fatalf("ran %q, want %q", got, deliveryID)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("task for %s did not run within 30 s", deliveryID)
		}
		waitFor(t, "the row is deleted", func() bool { return rowGone(t, st, row.ID) })
	}
	runs("before-failover")
	if keys, err := master.Keys(context.Background(), "asynq:*").Result(); err != nil || len(keys) == 0 {
		t.Fatalf("no asynq keys in database 2 of the master (%v, %v)", keys, err)
	}

	sentinel := s.sentinelClient(t)
	if err := sentinel.Failover(context.Background(), sentinelMaster).Err(); err != nil {
		t.Fatal(err)
	}
	poll(t, "the sentinel names the replica as master", 30*time.Second, func() bool {
		addr, err := sentinel.GetMasterAddrByName(context.Background(), sentinelMaster).Result()
		return err == nil && addr[1] == strconv.Itoa(s.replica)
	})
	// Until the sentinel has turned the old master into a replica it still takes writes, which its
	// resync from the new master then drops (Redis replicates asynchronously): the outbox row would
	// still be there for the sweeper, but only after its lease. The test enqueues once the old master
	// refuses writes, so the task must reach the new master through the clients that followed the
	// switch (or, if an enqueue met a connection not yet moved, the sweeper's next round).
	old := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", s.master)})
	t.Cleanup(func() { _ = old.Close() })
	poll(t, "the old master is a replica", 30*time.Second, func() bool {
		role, err := old.Do(context.Background(), "ROLE").Slice()
		return err == nil && len(role) > 0 && role[0] == "slave"
	})
	runs("after-failover")
}
