package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/test/testenv"
)

func TestInboundActivityIsStoredOnce(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		in := model.InboundActivity{ActivityIRI: "https://a.example/activities/1", ActorIRI: "https://a.example/u/al",
			ActivityType: "Follow", RawBody: `{"id":"https://a.example/activities/1"}`}
		first, created, err := st.RecordInboundActivity(ctx, in)
		if err != nil || !created || first.State != model.InboundPending {
			t.Fatalf("first record: %+v, created %t, %v", first, created, err)
		}
		again, created, err := st.RecordInboundActivity(ctx, in)
		if err != nil || created || again.ID != first.ID {
			t.Fatalf("redelivery must return the stored row: %+v, created %t, %v", again, created, err)
		}
		if err := st.FinishInboundActivity(ctx, first.ID, model.InboundIgnored, "nothing to do"); err != nil {
			t.Fatal(err)
		}
		done, err := st.InboundToProcessByID(ctx, first.ID)
		if err != nil || done.State != model.InboundIgnored || done.Attempts != 1 || done.ProcessedAt == nil {
			t.Fatalf("after finishing: %+v, %v", done, err)
		}
	})
}

func TestDomainBlocksCoverSubdomains(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		org, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "acme", Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "other", Name: "Other"})
		if err != nil {
			t.Fatal(err)
		}
		mustBlock := func(domain string, orgID *string) {
			if _, err := st.CreateDomainBlock(ctx, model.DomainBlock{Domain: domain, OrganisationID: orgID, Severity: model.SeveritySuspend}); err != nil {
				t.Fatal(err)
			}
		}
		mustBlock("spam.example", nil)
		mustBlock("rude.example", &org.ID)
		cases := []struct {
			host, org string
			blocked   bool
		}{
			{"spam.example", "", true},
			{"social.spam.example", "", true},
			{"notspam.example", "", false},
			{"rude.example", "", false},
			{"rude.example", org.ID, true},
			{"a.rude.example", org.ID, true},
			{"rude.example", other.ID, false},
			{"spam.example", other.ID, true},
		}
		for _, tc := range cases {
			blocks, err := st.DomainBlocksFor(ctx, tc.host, tc.org)
			if err != nil {
				t.Fatal(err)
			}
			if (len(blocks) > 0) != tc.blocked {
				t.Errorf("%s for org %q: %d blocks, want blocked=%t", tc.host, tc.org, len(blocks), tc.blocked)
			}
		}
	})
}

// An accepted activity's task is handed to the broker under the activity's id and has no outbox row;
// an activity accepted twice is stored and handed over once.
func TestAcceptInboundActivityStoresItAndDispatchesItsTaskWithoutARow(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		broker := dispatchTo(st)
		in := model.InboundActivity{ActivityIRI: "https://a.example/activities/2", ActorIRI: "https://a.example/u/al",
			ActivityType: "Create", RawBody: `{}`}
		for round, want := range []bool{true, false} {
			created, err := st.AcceptInboundActivity(ctx, in, tasks.NewProcessInboundTask)
			if err != nil || created != want {
				t.Fatalf("round %d: created %t, %v; want %t", round, created, err, want)
			}
		}
		stored, err := st.InboundActivityByIRI(ctx, in.ActivityIRI)
		if err != nil {
			t.Fatal(err)
		}
		handed := broker.tasks()
		if len(handed) != 1 || handed[0].ID != stored.ID || !handed[0].Unrecorded || handed[0].TaskType != tasks.TypeProcessInbound ||
			!strings.Contains(handed[0].Payload, stored.ID) {
			t.Fatalf("tasks handed to the broker %+v for activity %s; want exactly one, under its id, without a row", handed, stored.ID)
		}
		if rows := outboxRows(t, st); len(rows) != 0 {
			t.Errorf("outbox rows after the accept: %+v, want none", rows)
		}
	})
}

// A worker settling an activity with its task in hand closes the task's outbox row, if a failure
// gave it one, in the same commit; inside a caller's transaction the row stays for the worker to
// close once that commits. A task without a row is closed by the settle all the same.
func TestFinishingAnInboundActivityClosesItsTaskInHand(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		broker := dispatchTo(st)
		accept := func(n string, failed bool) (model.InboundActivity, model.QueuedTask) {
			t.Helper()
			row, task := acceptInbound(t, st, broker, n)
			if failed {
				if err := st.RecordFailureOfTask(ctx, task, errors.New("the database was busy"), false); err != nil {
					t.Fatal(err)
				}
			}
			return row, task
		}
		settle := func(row model.InboundActivity, task model.QueuedTask, inTransaction bool) bool {
			t.Helper()
			inHandCtx, inHand := store.WithTaskInHand(ctx, task.ID)
			finish := func(s *store.Store) error {
				return s.FinishInboundActivity(inHandCtx, row.ID, model.InboundProcessed, "")
			}
			var err error
			if inTransaction {
				err = st.Transaction(inHandCtx, func(tx *store.Store) error { return finish(tx) })
			} else {
				err = finish(st)
			}
			if err != nil {
				t.Fatal(err)
			}
			return inHand.Completed()
		}

		row, task := accept("1", true)
		if !settle(row, task, false) {
			t.Error("the task in hand was not closed with the settle")
		}
		if _, err := st.FindTask(ctx, task.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the task's row outlived the settle: %v", err)
		}
		if done, err := st.InboundToProcessByID(ctx, row.ID); err != nil || done.State != model.InboundProcessed || done.Attempts != 1 {
			t.Errorf("after the settle: %+v, %v", done, err)
		}

		row, task = accept("2", false)
		if !settle(row, task, false) {
			t.Error("the task in hand, without a row, was not closed with the settle")
		}

		row, task = accept("3", true)
		if settle(row, task, true) {
			t.Error("a settle inside a caller's transaction claimed the task's row")
		}
		if _, err := st.FindTask(ctx, task.ID); err != nil {
			t.Errorf("a settle inside a caller's transaction deleted the task's row: %v", err)
		}
	})
}

// Inbox requests and worker tasks arriving together share the accept, the first read and the settle
// on PostgreSQL (coalesce.go): each still gets its own answer. Fifty requests carry 25 activities
// twice each: every activity is stored once, with one task, and exactly one of its two requests is
// told it is new; each is then read and settled with an outcome of its own.
func TestConcurrentAcceptsReadsAndSettlesKeepTheirOwnResults(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		const activities = 25
		broker := dispatchTo(st)
		iri := func(n int) string { return fmt.Sprintf("https://a.example/activities/parallel-%d", n) }
		var newCount [activities]atomic.Int32
		var wg sync.WaitGroup
		for request := range 2 * activities {
			wg.Go(func() {
				n := request % activities
				created, err := st.AcceptInboundActivity(ctx, model.InboundActivity{ActivityIRI: iri(n), ActorIRI: "https://a.example/u/al",
					ActivityType: "Create", RawBody: fmt.Sprintf(`{"n":%d}`, n)}, tasks.NewProcessInboundTask)
				if err != nil {
					t.Errorf("accept %d: %v", n, err)
				}
				if created {
					newCount[n].Add(1)
				}
			})
		}
		wg.Wait()
		queued := broker.tasks()
		if len(queued) != activities {
			t.Fatalf("%d tasks for %d activities", len(queued), activities)
		}
		rows := make([]model.InboundActivity, activities)
		taskOf := map[string]string{}
		for n := range activities {
			if got := newCount[n].Load(); got != 1 {
				t.Errorf("activity %d: %d requests were told it was new, want 1", n, got)
			}
			row, err := st.InboundActivityByIRI(ctx, iri(n))
			if err != nil {
				t.Fatal(err)
			}
			rows[n] = row
			for _, task := range queued {
				if task.ID == row.ID && strings.Contains(task.Payload, row.ID) {
					taskOf[row.ID] = task.ID
				}
			}
		}

		for n, row := range rows {
			wg.Go(func() {
				read, err := st.InboundToProcessByID(ctx, row.ID)
				if err != nil || read.ActivityIRI != iri(n) || read.RawBody != fmt.Sprintf(`{"n":%d}`, n) {
					t.Errorf("read %d: %s %s, %v", n, read.ActivityIRI, read.RawBody, err)
				}
			})
			wg.Go(func() {
				if _, err := st.InboundToProcessByID(ctx, model.NewID()); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("an unknown id read with others: %v", err)
				}
			})
		}
		wg.Wait()

		for n, row := range rows {
			wg.Go(func() {
				inHandCtx, inHand := store.WithTaskInHand(ctx, taskOf[row.ID])
				if err := st.FinishInboundActivity(inHandCtx, row.ID, model.InboundIgnored, fmt.Sprint("reason ", n)); err != nil {
					t.Errorf("settle %d: %v", n, err)
				}
				if !inHand.Completed() {
					t.Errorf("settle %d did not close its task", n)
				}
			})
		}
		wg.Wait()
		for n, row := range rows {
			done, err := st.InboundToProcessByID(ctx, row.ID)
			if err != nil || done.State != model.InboundIgnored || done.Error != fmt.Sprint("reason ", n) || done.Attempts != 1 {
				t.Errorf("activity %d after its settle: %s %q, %d attempts, %v", n, done.State, done.Error, done.Attempts, err)
			}
		}
		var left int64
		if err := st.DB().Model(&model.QueuedTask{}).Count(&left).Error; err != nil || left != 0 {
			t.Errorf("%d tasks left after every settle, %v", left, err)
		}
	})
}
