// Package campaigntag holds the rules of a campaign's hashtag, which more than one service applies:
// what a hashtag may be (Check), and how a post carries it (Carries, Append). It depends only on
// app/apperror and the leaf app/textinput, so any service may use it.
package campaigntag

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/textinput"
)

// MaxLength bounds a hashtag, in characters, without its '#'.
const MaxLength = 100

// Check trims a hashtag given in field (without its '#') and checks it: empty (no hashtag), or
// letters, digits and underscores of any script, not digits alone. Combining marks count as letters:
// many scripts (Devanagari, Thai ...) cannot write a word without them. Fediverse servers link and
// follow exactly such tags; a '#', a space or punctuation would cut the tag short there.
func Check(field, tag string) (string, error) {
	tag = strings.TrimSpace(tag)
	if tag == "" {
		return "", nil
	}
	if !utf8.ValidString(tag) {
		return "", apperror.Invalid(field, "must be valid UTF-8 text")
	}
	if strings.HasPrefix(tag, "#") {
		return "", apperror.Invalid(field, "write it without the '#'")
	}
	if n := utf8.RuneCountInString(tag); n > MaxLength {
		return "", apperror.Invalid(field, "must be at most %d characters (got %d)", MaxLength, n)
	}
	if strings.IndexFunc(tag, func(r rune) bool { return !isTagRune(r) }) >= 0 {
		return "", apperror.Invalid(field, "may hold only letters, digits and underscores: no spaces or punctuation")
	}
	if strings.IndexFunc(tag, func(r rune) bool { return !unicode.IsDigit(r) }) < 0 {
		return "", apperror.Invalid(field, "must not be digits only: servers do not read that as a hashtag")
	}
	return tag, nil
}

// isTagRune reports whether r may be part of a hashtag.
func isTagRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r)
}

// Carries reports whether text already holds #tag as a whole hashtag, in any letter case: not as
// the start of a longer tag (#spring2026 does not carry #spring), and not inside a word or an
// address (a#tag, example.org/#tag). It asks textinput, which finds the hashtags a post is
// published with, so a tag counted as carried is one the post goes out tagged with.
func Carries(text, tag string) bool {
	if tag == "" {
		return false
	}
	want := textinput.HashtagKey(tag)
	for _, found := range textinput.Hashtags(text) {
		if textinput.HashtagKey(found) == want {
			return true
		}
	}
	return false
}

// Append returns text carrying #tag: as it is when it carries it already (or tag is empty),
// else with #tag added as a last paragraph of its own.
func Append(text, tag string) string {
	if tag == "" || Carries(text, tag) {
		return text
	}
	return strings.TrimRight(text, " \t\r\n") + "\n\n#" + tag
}
