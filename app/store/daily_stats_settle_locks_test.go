package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// The settles of one fan-out never take turns at their group's or their post's row of the day: while
// another transaction holds both rows (as a settle did until its commit reached the disk), settles
// of the post's deliveries commit at once, and their attempts are counted on both rows when the
// deltas are folded, exactly once.
func TestDeliverySettlesDoNotWaitForTheRowsOfTheDay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Postgres(t)
	group := newLobby(t, st)
	post := groupPost(t, st, group, 1)
	byHost := sendTo(t, st, group, post.ID, "a.example", "b.example", "c.example", "d.example")
	// Both rows exist: the first settle's counts, folded.
	if err := st.MarkDelivered(ctx, []string{byHost["a.example"]}, 202); err != nil {
		t.Fatal(err)
	}
	from, through := periodAround()
	if _, err := st.PostsReach(ctx, store.OfGroup(group.ID), from, through, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := st.GroupDays(ctx, group.ID, from, through); err != nil {
		t.Fatal(err)
	}

	holder, err := testenv.Conn(t, st).BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = holder.Rollback() }()
	var locked int
	if err := holder.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM group_daily_stats WHERE group_id = $1 FOR UPDATE) AS g)
		+ (SELECT COUNT(*) FROM (SELECT 1 FROM post_delivery_daily_stats WHERE post_id = $2 FOR UPDATE) AS p)`, group.ID, post.ID).Scan(&locked); err != nil {
		t.Fatal(err)
	}
	if locked != 2 {
		t.Fatalf("locked %d rows of the day, want the group's and the post's", locked)
	}
	settleCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := st.MarkDelivered(settleCtx, []string{byHost["b.example"], byHost["c.example"]}, 202); err != nil {
		t.Fatalf("a batch settle waited for the rows of the day: %v", err)
	}
	if err := st.RecordDeliveryAttempt(settleCtx, byHost["d.example"], store.DeliveryOutcome{State: model.DeliveryFailed, Status: 410}); err != nil {
		t.Fatalf("a single settle waited for the rows of the day: %v", err)
	}
	if err := holder.Rollback(); err != nil {
		t.Fatal(err)
	}

	reach, err := st.PostsReach(ctx, store.OfGroup(group.ID), from, through, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(reach) != 1 || reach[0].Attempted != 4 || reach[0].Succeeded != 3 || reach[0].Failed != 1 {
		t.Errorf("the post's deliveries: %+v, want 4 attempted, 3 succeeded, 1 failed", reach)
	}
	got := statsTotals(t, st, group.ID)
	if got.DeliveriesAttempted != 4 || got.DeliveriesSucceeded != 3 || got.DeliveriesFailed != 1 {
		t.Errorf("the group's deliveries attempted, succeeded, failed: %d, %d, %d; want 4, 3, 1",
			got.DeliveriesAttempted, got.DeliveriesSucceeded, got.DeliveriesFailed)
	}
}
