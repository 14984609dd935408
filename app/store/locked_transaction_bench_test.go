package store_test

import (
	"context"
	"testing"

	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// BenchmarkLockedTransaction times, on PostgreSQL, a transaction shaped like the start of a direct
// message's (its lock, a read, COMMIT) two ways: BEGIN sent alone and then the lock, as Transaction
// does, and BEGIN sent with the lock, as TransactionHolding does. The limit it names is one round
// trip to PostgreSQL, timed in the same run as a lone SELECT 1: the second way should save about
// one of them per transaction.
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
}
