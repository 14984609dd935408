package textinput

import (
	"regexp"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
)

// MaxContentHTML bounds the HTML Kring keeps of a remote post or message; a longer one is cut, not
// refused, since the original stays on its server.
const MaxContentHTML = 100_000

// contentPolicy keeps the markup fediverse servers put in posts (paragraphs, links, mentions and
// hashtags, emphasis, lists, quotes, code) and drops everything else, scripts and styles included.
// bluemonday, a well-kept sanitiser, does the parsing: hand-written HTML filters are how XSS gets in.
var contentPolicy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "span", "a", "del", "pre", "code", "em", "strong", "b", "i", "u", "s",
		"ul", "ol", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	// The classes Mastodon marks mentions, hashtags and shortened links with.
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^((h-card|mention|hashtag|u-url|invisible|ellipsis|quote-inline)\s*)+$`)).
		OnElements("a", "span", "p")
	return p
}()

// SanitizeHTML returns remote content with only safe markup left, cut to MaxContentHTML. Every
// remote text Kring shows in a page goes through it: posts in groups and messages to the support
// inbox alike.
func SanitizeHTML(content string) string {
	return contentPolicy.Sanitize(Clip(content, MaxContentHTML))
}

// Clip cuts s to at most max bytes without splitting a character.
func Clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
