package refusal

import (
	"net/http"

	"github.com/kring-social/kring/app/apperror"
)

// StatusFor is the one mapping from a domain error's kind to the HTTP status that answers it, for
// the web front and the admin alike.
func StatusFor(err error) int {
	switch apperror.KindOf(err) {
	case apperror.KindInvalid:
		return http.StatusBadRequest
	case apperror.KindConflict:
		return http.StatusConflict
	case apperror.KindNotFound:
		return http.StatusNotFound
	case apperror.KindForbidden:
		return http.StatusForbidden
	case apperror.KindUnauthenticated:
		return http.StatusUnauthorized
	default:
		return http.StatusInternalServerError
	}
}
