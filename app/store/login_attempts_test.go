package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// The login throttle's transaction counts the attempts on record in the round trip of its BEGIN and
// locks (its first read goes with them), then records the new attempt: two statements, one
// transaction, and the count sees the attempts recorded before.
func TestLoginThrottleCountsWithItsLocks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Postgres(t)
	now := time.Now()
	const email, ip = "ann@example.org", "192.0.2.7"
	if _, err := st.RecordLoginAttempt(ctx, store.AttemptLogin, email, "198.51.100.9", now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	recorder := testenv.RecordStatements(t, st)
	var counts store.LoginAttemptCounts
	statements := recorder.During(func() {
		err := st.TransactionHolding(ctx, store.LoginAttemptLocks(store.AttemptLogin, email, ip), func(tx *store.Store) error {
			var err error
			if counts, err = tx.CountLoginAttempts(ctx, store.AttemptLogin, email, ip, now.Add(-time.Hour)); err != nil {
				return err
			}
			_, err = tx.RecordLoginAttempt(ctx, store.AttemptLogin, email, ip, now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	if counts.ByAccount != 1 || counts.ByAddress != 0 || counts.ByAccountAndAddress != 0 || counts.LatestForAccount.IsZero() {
		t.Errorf("counts %+v; want the one earlier attempt for the account, from another address", counts)
	}
	if len(statements) != 3 || !strings.HasPrefix(strings.TrimSpace(statements[0].SQL), "SELECT COUNT(") ||
		statements[0].Tx == nil || testenv.Commits(statements) != 1 {
		t.Errorf("statements %+v; want the count (carrying BEGIN and the locks), the latest attempt's read and the insert, in one transaction", statements)
	}
}
