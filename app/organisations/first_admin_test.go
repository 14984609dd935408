package organisations

import (
	"context"
	"sync"
	"testing"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

func TestEnsureFirstAdmin(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := testService(st)

		_, err := svc.EnsureFirstAdmin(ctx, "not an email", "")
		assertDomainError(t, err, apperror.KindInvalid, "email")
		_, err = svc.EnsureFirstAdmin(ctx, "admin@localhost", "short")
		assertDomainError(t, err, apperror.KindInvalid, "password")

		first, err := svc.EnsureFirstAdmin(ctx, "Admin@localhost", "")
		if err != nil {
			t.Fatal(err)
		}
		if !first.Created || first.Email != "admin@localhost" || len(first.GeneratedPassword) < 20 {
			t.Fatalf("first start: got %+v, want a created admin with a generated password", first)
		}
		account, err := svc.Authenticate(ctx, "admin@localhost", first.GeneratedPassword)
		if err != nil {
			t.Fatal(err)
		}
		if !account.InstanceAdmin {
			t.Error("the first admin is not an instance admin")
		}
		marker, err := st.InstanceSetting(ctx, model.InstanceSettingFirstAdmin)
		if err != nil || marker.Value != account.ID {
			t.Errorf("first_admin setting: %+v, %v", marker, err)
		}

		for _, email := range []string{"admin@localhost", "other@example.org"} {
			again, err := svc.EnsureFirstAdmin(ctx, email, "some other password")
			if err != nil || again.Created || again.GeneratedPassword != "" {
				t.Errorf("later start with %s: got %+v, %v; want nothing done", email, again, err)
			}
		}
		if n, err := st.CountStaffAccounts(ctx); err != nil {
			t.Fatal(err)
		} else if n != 1 {
			t.Errorf("%d staff accounts, want 1", n)
		}
	})
}

func TestEnsureFirstAdminChosenPassword(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := testService(st)
		first, err := svc.EnsureFirstAdmin(ctx, "admin@example.org", "the operator's password")
		if err != nil || !first.Created || first.GeneratedPassword != "" {
			t.Fatalf("got %+v, %v; want created without a generated password", first, err)
		}
		if _, err := svc.Authenticate(ctx, "admin@example.org", "the operator's password"); err != nil {
			t.Error(err)
		}
	})
}

func TestEnsureFirstAdminDoesNothingWhenStaffExist(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := testService(st)
		if _, _, err := svc.CreateStaff(ctx, NewStaff{Email: "early@example.org", InstanceAdmin: true}); err != nil {
			t.Fatal(err)
		}
		got, err := svc.EnsureFirstAdmin(ctx, "admin@localhost", "")
		if err != nil || got.Created {
			t.Errorf("got %+v, %v; want nothing done", got, err)
		}
	})
}

// TestEnsureFirstAdminConcurrently starts several "processes" at once, with the same and with
// different emails: exactly one admin is created.
func TestEnsureFirstAdminConcurrently(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		emails := []string{"admin@localhost", "admin@localhost", "admin@localhost", "a@example.org", "b@example.org", "c@example.org"}
		results := make([]FirstAdmin, len(emails))
		errs := make([]error, len(emails))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, email := range emails {
			wg.Go(func() {
				svc := testService(st) // a process of its own
				<-start
				results[i], errs[i] = svc.EnsureFirstAdmin(ctx, email, "")
			})
		}
		close(start)
		wg.Wait()
		created := 0
		for i := range emails {
			if errs[i] != nil {
				t.Errorf("start %d: %v", i, errs[i])
			}
			if results[i].Created {
				created++
			}
		}
		n, err := st.CountStaffAccounts(ctx)
		if created != 1 || err != nil || n != 1 {
			t.Errorf("%d starts created an admin, %d accounts exist (%v); want exactly 1", created, n, err)
		}
	})
}
