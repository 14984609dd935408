package refusal

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/kring-social/kring/app/apperror"
)

func TestStatusFor(t *testing.T) {
	t.Parallel()
	cases := map[error]int{
		apperror.Invalid("slug", "bad"):                            http.StatusBadRequest,
		apperror.Conflict("slug", "taken"):                         http.StatusConflict,
		apperror.NotFound("no such group"):                         http.StatusNotFound,
		apperror.Forbidden("not yours"):                            http.StatusForbidden,
		&apperror.Error{Kind: apperror.KindUnauthenticated}:        http.StatusUnauthorized,
		fmt.Errorf("wrapped: %w", apperror.NotFound("gone")):       http.StatusNotFound,
		errors.New("database down"):                                http.StatusInternalServerError,
		&apperror.Error{Kind: apperror.KindInternal, Message: "x"}: http.StatusInternalServerError,
	}
	for err, want := range cases {
		if got := StatusFor(err); got != want {
			t.Errorf("StatusFor(%v) = %d, want %d", err, got, want)
		}
	}
}
