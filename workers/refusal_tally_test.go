package workers_test

import (
	"context"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/kring-social/kring/workers"
)

// Refusals counted by two serve processes add up on Redis once flushed, per reason, and a failed
// read is not mistaken for none; counts not yet flushed are kept in memory, not lost.
func TestRefusalTallyAddsUpAcrossProcesses(t *testing.T) {
	t.Parallel()
	onBothBrokers(t, func(t *testing.T, opt asynq.RedisConnOpt) {
		ctx := context.Background()
		first, err := workers.NewRefusalTally(opt)
		if err != nil {
			t.Fatal(err)
		}
		second, err := workers.NewRefusalTally(opt)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = second.Close() })
		for range 3 {
			first.InboxRefused("signature")
		}
		second.InboxRefused("signature")
		second.InboxRefused("blocked")
		if got, err := first.RefusalsLastDay(ctx); err != nil || len(got) != 0 {
			t.Fatalf("before a flush: %v %v, want nothing", got, err)
		}
		if err := first.Close(); err != nil { // Close flushes what is left
			t.Fatal(err)
		}
		if err := second.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := second.RefusalsLastDay(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got["signature"] != 4 || got["blocked"] != 1 || len(got) != 2 {
			t.Errorf("refusals of the last day = %v, want signature 4, blocked 1", got)
		}
		if len(second.Pending()) != 0 {
			t.Errorf("still pending after a flush: %v", second.Pending())
		}
	})
}
