package groups

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
)

const (
	maxNameLength    = 100
	maxSummaryLength = 5000
	maxRulesLength   = 20000
)

// A group's slug is its fediverse username (acct:slug@domain) and part of its actor IRI. Lowercase
// ASCII letters, digits and underscores are accepted as usernames by every server we federate with
// (Mastodon's own rule is [a-z0-9_]), and lowercase only means no two handles differ just by case.
var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_]{0,29}$`)

// reservedSlugs are names Kring's own URLs, well-known paths and actors use, or that would read as
// Kring itself speaking. The same rule holds for organisation slugs (app/organisations); the two
// lists are kept apart because the import rules keep services from importing each other.
func reservedSlugs() []string {
	return []string{
		"admin", "api", "inbox", "outbox", "users", "groups", "orgs", "actor", "instance", "well-known", "well_known",
		"nodeinfo", "webfinger", "static", "assets", "media", "healthz", "readyz", "login", "logout", "kring", "root",
		"system", "www",
	}
}

func validateSlug(slug string) error {
	if !slugPattern.MatchString(slug) {
		return apperror.Invalid("slug", "must be 1 to 30 characters of lowercase letters a-z, digits and underscores, starting with a letter or digit (got %q)", slug)
	}
	if slices.Contains(reservedSlugs(), slug) {
		return apperror.Invalid("slug", "%q is reserved by Kring; choose another", slug)
	}
	return nil
}

// cleanName trims a group's display name and checks it.
func cleanName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", apperror.Invalid("name", "must not be empty")
	}
	if !utf8.ValidString(name) {
		return "", apperror.Invalid("name", "must be valid UTF-8 text")
	}
	if n := utf8.RuneCountInString(name); n > maxNameLength {
		return "", apperror.Invalid("name", "must be at most %d characters (got %d)", maxNameLength, n)
	}
	if strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", apperror.Invalid("name", "must not contain control characters such as line breaks or tabs")
	}
	return name, nil
}

// cleanText trims a multi-line text (summary, rules) and checks it: line breaks and tabs are fine,
// other control characters are not.
func cleanText(field, text string, maxLength int) (string, error) {
	text = strings.TrimSpace(text)
	if !utf8.ValidString(text) {
		return "", apperror.Invalid(field, "must be valid UTF-8 text")
	}
	if n := utf8.RuneCountInString(text); n > maxLength {
		return "", apperror.Invalid(field, "must be at most %d characters (got %d)", maxLength, n)
	}
	if strings.IndexFunc(text, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) >= 0 {
		return "", apperror.Invalid(field, "must not contain control characters other than line breaks and tabs")
	}
	return text, nil
}

// postingPolicyOrDefault checks a posting policy; empty means the default, followers.
func postingPolicyOrDefault(policy model.PostingPolicy) (model.PostingPolicy, error) {
	if policy == "" {
		return model.PostingFollowers, nil
	}
	if !slices.Contains(model.PostingPolicies(), policy) {
		return "", apperror.Invalid("posting_policy", "must be one of followers, anyone, moderators, premoderated (got %q)", string(policy))
	}
	return policy, nil
}
