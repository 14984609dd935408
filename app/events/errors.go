package events

import (
	"errors"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/store"
)

// asNotFound turns the store's ErrNotFound into an apperror the caller can show.
func asNotFound(err error, format string, args ...any) error {
	if errors.Is(err, store.ErrNotFound) {
		return apperror.NotFound(format+" not found", args...)
	}
	return err
}
