package testenv

import (
	"testing"

	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/store"
)

// Groups is the groups service over st that tests use: real in all but where its keys come from.
func Groups(t testing.TB, st *store.Store) *groups.Service {
	t.Helper()
	return groups.NewService(st).WithKeyGenerator(SigningKeys(t))
}
