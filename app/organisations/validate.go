package organisations

import (
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
)

const (
	maxNameLength     = 100
	maxEmailLength    = 254 // RFC 5321's limit on a forward path
	minPasswordLength = 12
	maxPasswordLength = 1024 // hashing cost grows with length; nobody types more
)

// An organisation slug may appear in URLs and next to group handles, so it follows the group rule:
// lowercase ASCII letters, digits and underscores, as every fediverse server accepts in a username.
var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_]{0,29}$`)

// reservedSlugs are names Kring's own URLs and well-known paths use, or that would read as Kring
// itself speaking.
func reservedSlugs() []string {
	return []string{
		"admin", "api", "inbox", "outbox", "users", "groups", "orgs", "actor", "instance", "well-known", "well_known",
		"nodeinfo", "webfinger", "static", "assets", "media", "healthz", "readyz", "login", "logout", "kring", "root",
		"system", "www",
	}
}

func validateSlug(field, slug string) error {
	if !slugPattern.MatchString(slug) {
		return apperror.Invalid(field, "must be 1 to 30 characters of lowercase letters a-z, digits and underscores, starting with a letter or digit (got %q)", slug)
	}
	if slices.Contains(reservedSlugs(), slug) {
		return apperror.Invalid(field, "%q is reserved by Kring; choose another", slug)
	}
	return nil
}

// cleanName trims a display name and checks it; required says whether it may be empty.
func cleanName(field, name string, required bool) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" && required {
		return "", apperror.Invalid(field, "must not be empty")
	}
	if !utf8.ValidString(name) {
		return "", apperror.Invalid(field, "must be valid UTF-8 text")
	}
	if n := utf8.RuneCountInString(name); n > maxNameLength {
		return "", apperror.Invalid(field, "must be at most %d characters (got %d)", maxNameLength, n)
	}
	if strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", apperror.Invalid(field, "must not contain control characters such as line breaks or tabs")
	}
	return name, nil
}

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
