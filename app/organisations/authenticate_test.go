package organisations

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := testService(st)
		const password = "a long enough password"
		created, _, err := svc.CreateStaff(ctx, NewStaff{Email: "mod@example.org", Password: password, InstanceAdmin: true})
		if err != nil {
			t.Fatal(err)
		}
		disabled, _, err := svc.CreateStaff(ctx, NewStaff{Email: "gone@example.org", Password: password, InstanceAdmin: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.DB().Model(&model.StaffAccount{}).Where("id = ?", disabled.ID).Update("disabled_at", time.Now().UTC()).Error; err != nil {
			t.Fatal(err)
		}

		account, err := svc.Authenticate(ctx, "MOD@example.org", password)
		if err != nil {
			t.Fatal(err)
		}
		if account.ID != created.ID || account.LastLoginAt == nil {
			t.Fatalf("logged in as %+v, want %s with the login recorded", account, created.ID)
		}
		stored, err := st.StaffAccountByID(ctx, created.ID)
		if err != nil || stored.LastLoginAt == nil || !stored.LastLoginAt.Equal(*account.LastLoginAt) {
			t.Errorf("stored last_login_at %v (%v), returned %v", stored.LastLoginAt, err, account.LastLoginAt)
		}

		refused := []struct{ name, email, password string }{
			{"wrong password", "mod@example.org", "not the password"},
			{"password in other case", "mod@example.org", strings.ToUpper(password)},
			{"empty password", "mod@example.org", ""},
			{"unknown email", "who@example.org", password},
			{"malformed email", "who", password},
			{"disabled account", "gone@example.org", password},
		}
		var message string
		for _, c := range refused {
			t.Run(c.name, func(t *testing.T) {
				_, err := svc.Authenticate(ctx, c.email, c.password)
				assertDomainError(t, err, apperror.KindUnauthenticated, "")
				if message == "" {
					message = apperror.SafeMessage(err)
				}
				if got := apperror.SafeMessage(err); got != message {
					t.Errorf("message %q differs from %q: it would tell the cases apart", got, message)
				}
			})
		}
	})
}

// TestDefaultPasswordParams checks the production costs end up in the stored hash.
func TestDefaultPasswordParams(t *testing.T) {
	t.Parallel()
	st := testenv.SQLite(t)
	ctx := context.Background()
	svc := NewService(st)
	account, generated, err := svc.CreateStaff(ctx, NewStaff{Email: "root@example.org", InstanceAdmin: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(account.PasswordHash, "$argon2id$v=19$m=65536,t=2,p=2$") {
		t.Errorf("hash %q: want argon2id with 64 MiB, 2 passes, parallelism 2", account.PasswordHash)
	}
	if _, err := svc.Authenticate(ctx, "root@example.org", generated); err != nil {
		t.Error(err)
	}
	if _, err := svc.Authenticate(ctx, "nobody@example.org", generated); apperror.KindOf(err) != apperror.KindUnauthenticated {
		t.Errorf("unknown email: got %v", err)
	}
}
