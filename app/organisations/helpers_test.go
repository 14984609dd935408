package organisations

import (
	"errors"
	"testing"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/store"
)

// testService hashes with TestPasswordParams, to keep the many hashes of these tests fast;
// TestDefaultPasswordParams checks the real ones.
func testService(st *store.Store) *Service {
	return NewServiceWith(st, Options{PasswordParams: TestPasswordParams()})
}

// assertDomainError checks err is an *apperror.Error of kind naming field (field "" checks nothing).
func assertDomainError(t *testing.T, err error, kind apperror.Kind, field string) {
	t.Helper()
	var domainErr *apperror.Error
	if !errors.As(err, &domainErr) {
		t.Fatalf("got %v (%T), want a %s error", err, err, kind)
	}
	if domainErr.Kind != kind {
		t.Fatalf("got a %s error (%v), want %s", domainErr.Kind, err, kind)
	}
	if field != "" && domainErr.Field != field {
		t.Fatalf("error names field %q (%v), want %q", domainErr.Field, err, field)
	}
}
