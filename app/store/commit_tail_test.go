package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// A transaction that counted an event of a group does not hold the group's row of the day until it
// ends: the count runs as its last statement, so a second transaction of the same group counts and
// commits while the first is still busy. Counted first, the second would wait for the row (seen:
// 100 ms on average per post of a busy group, every post processed one at a time).
func TestCountsWaitForTheEndOfTheirTransaction(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	ctx := context.Background()
	group := newLobby(t, st)
	post := groupPost(t, st, group, 1)
	liker, other := newActor(t, st, "liker"), newActor(t, st, "other")

	counted, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- st.Transaction(ctx, func(tx *store.Store) error {
			if err := tx.CountPostModerated(ctx, group.ID, model.PostHeld); err != nil {
				return err
			}
			if _, err := tx.AddLike(ctx, model.PostLike{PostID: post.ID, RemoteActorID: liker.ID, ActivityIRI: liker.IRI + "/likes/1"}); err != nil {
				return err
			}
			close(counted)
			<-release // the rest of a long transaction
			return nil
		})
	}()
	<-counted
	secondCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	err := st.Transaction(secondCtx, func(tx *store.Store) error {
		if err := tx.CountPostModerated(secondCtx, group.ID, model.PostHeld); err != nil {
			return err
		}
		_, err := tx.AddLike(secondCtx, model.PostLike{PostID: post.ID, RemoteActorID: other.ID, ActivityIRI: other.IRI + "/likes/1"})
		return err
	})
	cancel()
	close(release)
	if err != nil {
		t.Fatalf("the second transaction, counting the same group's and post's rows while the first was open: %v", err)
	}
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	totals := statsTotals(t, st, group.ID)
	if totals.PostsHeld != 2 || totals.Likes != 2 {
		t.Errorf("after both: %d posts held, %d likes of the day, want 2 and 2", totals.PostsHeld, totals.Likes)
	}
	liked, err := st.PostByID(ctx, post.ID)
	if err != nil {
		t.Fatal(err)
	}
	if liked.LikeCount != 2 {
		t.Errorf("the post's like count: %d, want 2", liked.LikeCount)
	}
}

// A transaction that fails after counting counts nothing: the deferred increments never run.
func TestCountsOfAFailedTransactionAreNotKept(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		group := newLobby(t, st)
		failed := context.Canceled
		err := st.Transaction(ctx, func(tx *store.Store) error {
			if err := tx.CountPostModerated(ctx, group.ID, model.PostRemoved); err != nil {
				return err
			}
			return failed
		})
		if err != failed {
			t.Fatalf("transaction: %v", err)
		}
		if totals := statsTotals(t, st, group.ID); totals.PostsRemoved != 0 {
			t.Errorf("posts removed after a rolled-back count: %d", totals.PostsRemoved)
		}
	})
}

// On PostgreSQL the increments of different tables go as one statement, and run in the tail's
// order (table, then arguments), the order a tail run statement by statement locks rows in; two of
// the same table run apart, each change kept. The tables here number their rows from one sequence,
// so the numbers tell the order the increments ran in.
func TestCommitTailIsOneStatementInItsOrder(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	ctx := context.Background()
	for _, statement := range []string{
		"CREATE SEQUENCE tail_order",
		"CREATE TABLE tail_a (n BIGINT DEFAULT nextval('tail_order'), v TEXT)",
		"CREATE TABLE tail_b (n BIGINT DEFAULT nextval('tail_order'), v TEXT)",
		"CREATE TABLE tail_c (n BIGINT DEFAULT nextval('tail_order'), v TEXT)",
	} {
		if err := st.DB().Exec(statement).Error; err != nil {
			t.Fatal(err)
		}
	}
	recorder := testenv.RecordStatements(t, st)
	tail := func(increments ...[2]string) []testenv.Statement {
		t.Helper()
		return recorder.During(func() {
			err := st.Transaction(ctx, func(tx *store.Store) error {
				for _, increment := range increments {
					table := increment[0]
					if err := tx.ExecLastForTest(ctx, table, "INSERT INTO "+table+" (v) VALUES (?)", increment[1]); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
	order := func() []string {
		t.Helper()
		var values []string
		if err := st.DB().Raw(`SELECT v FROM (SELECT n, v FROM tail_a UNION ALL SELECT n, v FROM tail_b UNION ALL SELECT n, v FROM tail_c) AS rows
			ORDER BY n`).Scan(&values).Error; err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"tail_a", "tail_b", "tail_c"} {
			if err := st.DB().Exec("DELETE FROM " + table).Error; err != nil {
				t.Fatal(err)
			}
		}
		return values
	}

	if statements := tail([2]string{"tail_c", "c"}, [2]string{"tail_a", "a"}, [2]string{"tail_b", "b"}); len(statements) != 1 {
		t.Errorf("three increments of three tables took %d statements, want 1", len(statements))
	}
	if got := order(); strings.Join(got, " ") != "a b c" {
		t.Errorf("the increments ran in the order %v, want a b c (table by table)", got)
	}
	if statements := tail([2]string{"tail_b", "b2"}, [2]string{"tail_a", "a"}, [2]string{"tail_b", "b1"}); len(statements) != 3 {
		t.Errorf("increments with two of one table took %d statements, want 3, one each", len(statements))
	}
	if got := order(); strings.Join(got, " ") != "a b1 b2" {
		t.Errorf("the increments ran in the order %v, want a b1 b2", got)
	}
}
