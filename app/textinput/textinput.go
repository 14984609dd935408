// Package textinput holds the rules for the short texts people type into Kring: slugs (which become
// fediverse handles), display names and longer texts such as summaries and rules. Every service
// checks its input with these, so a name is refused or accepted the same way everywhere. It depends
// only on app/apperror, so any service may use it.
package textinput

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kring-social/kring/app/apperror"
)

// MaxNameLength bounds display names: long enough for any real name, short enough for any layout.
const MaxNameLength = 100

// A slug is a fediverse username (acct:slug@domain) and part of URLs. Lowercase ASCII letters, digits
// and underscores are accepted as usernames by every server Kring federates with (Mastodon's own rule
// is [a-z0-9_]), and lowercase only means no two handles differ just by case.
var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_]{0,29}$`)

// reservedSlugs are names Kring's own URLs, well-known paths and actors use, or that would read as
// Kring itself speaking.
var reservedSlugs = []string{
	"admin", "api", "inbox", "outbox", "users", "groups", "orgs", "actor", "instance", "well-known", "well_known",
	"nodeinfo", "webfinger", "static", "assets", "media", "healthz", "readyz", "login", "logout", "kring", "root",
	"system", "www",
}

// Slug checks a slug given in field.
func Slug(field, slug string) error {
	if !slugPattern.MatchString(slug) {
		return apperror.Invalid(field, "must be 1 to 30 characters of lowercase letters a-z, digits and underscores, starting with a letter or digit (got %q)", slug)
	}
	if slices.Contains(reservedSlugs, slug) {
		return apperror.Invalid(field, "%q is reserved by Kring; choose another", slug)
	}
	return nil
}

// Name trims a one-line display name and checks it; required says whether it may be empty.
func Name(field, name string, required bool) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" && required {
		return "", apperror.Invalid(field, "must not be empty")
	}
	if err := checkText(field, name, MaxNameLength); err != nil {
		return "", err
	}
	if strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", apperror.Invalid(field, "must not contain control characters such as line breaks or tabs")
	}
	return name, nil
}

// Text trims a multi-line text (a summary, rules) and checks it: line breaks and tabs are fine, other
// control characters are not.
func Text(field, text string, maxLength int) (string, error) {
	text = strings.TrimSpace(text)
	if err := checkText(field, text, maxLength); err != nil {
		return "", err
	}
	if strings.IndexFunc(text, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) >= 0 {
		return "", apperror.Invalid(field, "must not contain control characters other than line breaks and tabs")
	}
	return text, nil
}

func checkText(field, text string, maxLength int) error {
	if !utf8.ValidString(text) {
		return apperror.Invalid(field, "must be valid UTF-8 text")
	}
	if n := utf8.RuneCountInString(text); n > maxLength {
		return apperror.Invalid(field, "must be at most %d characters (got %d)", maxLength, n)
	}
	return nil
}
