package store_test

import (
	"context"
	"testing"

	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// BenchmarkLockedTransaction times, on PostgreSQL, a transaction shaped like the start of a direct
// message's (its lock, a read, COMMIT) three ways: BEGIN sent alone and then the lock, as
// Transaction does; BEGIN sent with the lock, as TransactionHolding does when its first statement
// cannot carry them (a read through database/sql); BEGIN, the lock and the read sent together, as it
// does for a store's read into a struct (the standings). The limit it names is one round trip to
// PostgreSQL, timed in the same run as a lone SELECT 1: each way should save about one of them per
// transaction on the one before.
//
//	go test -run '^$' -bench LockedTransaction ./app/store
func BenchmarkLockedTransaction(b *testing.B) {
	ctx := context.Background()
	st := testenv.Postgres(b)
	locks := []store.AdvisoryLock{store.SupportInboxLock("group", "host.example")}
	read := func(tx *store.Store) error {
		var one int
		return tx.DB().Raw("SELECT 1").Scan(&one).Error
	}
	b.Run("round trip (SELECT 1)", func(b *testing.B) {
		for b.Loop() {
			if err := read(st); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("BEGIN, then the lock", func(b *testing.B) {
		for b.Loop() {
			err := st.Transaction(ctx, func(tx *store.Store) error {
				if err := tx.DB().Exec("SELECT pg_advisory_xact_lock(?)", int64(locks[0])).Error; err != nil {
					return err
				}
				return read(tx)
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("BEGIN with the lock", func(b *testing.B) {
		for b.Loop() {
			if err := st.TransactionHolding(ctx, locks, read); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("BEGIN with the lock and the read", func(b *testing.B) {
		for b.Loop() {
			err := st.TransactionHolding(ctx, locks, func(tx *store.Store) error {
				var row struct{ One int }
				return tx.ScanForTest(ctx, &row, "SELECT 1 AS one")
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
