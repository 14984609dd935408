package organisations

import (
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
)

const (
	maxEmailLength    = 254 // RFC 5321's limit on a forward path
	minPasswordLength = 12
	maxPasswordLength = 1024 // hashing cost grows with length; nobody types more
)

// cleanEmail trims and lowercases an e-mail address and checks it is a plain address.
func cleanEmail(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return "", apperror.Invalid("email", "must not be empty")
	}
	if len(email) > maxEmailLength {
		return "", apperror.Invalid("email", "must be at most %d characters", maxEmailLength)
	}
	// ParseAddress also accepts `Name <addr>`; requiring the result to be the input refuses that.
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email {
		return "", apperror.Invalid("email", "must be a plain e-mail address such as someone@example.org")
	}
	return email, nil
}

func validatePassword(password string) error {
	n := utf8.RuneCountInString(password)
	if n < minPasswordLength {
		return apperror.Invalid("password", "must be at least %d characters", minPasswordLength)
	}
	if n > maxPasswordLength {
		return apperror.Invalid("password", "must be at most %d characters", maxPasswordLength)
	}
	return nil
}

func validateRole(role Role) error {
	if !slices.Contains(model.Roles(), role) {
		return apperror.Invalid("role", "must be one of owner, admin, moderator (got %q)", string(role))
	}
	return nil
}
