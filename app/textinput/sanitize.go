package textinput

import (
	"html"
	"regexp"
	"strings"
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

// plainPolicy keeps no markup at all: what is left is the text.
var plainPolicy = bluemonday.StrictPolicy()

// PlainText is the text of remote HTML with its markup gone, entities decoded and runs of white
// space made one space: for lists and e-mails, which show a glimpse of a message and not its markup.
func PlainText(content string) string {
	content = strings.NewReplacer("<br>", " ", "<br/>", " ", "<br />", " ", "</p>", " ").Replace(Clip(content, MaxContentHTML))
	return strings.Join(strings.Fields(html.UnescapeString(plainPolicy.Sanitize(content))), " ")
}

// Excerpt is at most max characters of text, cut at a word with an ellipsis when it is longer.
func Excerpt(text string, max int) string {
	runes := []rune(text)
	if len(runes) <= max {
		return text
	}
	cut := string(runes[:max])
	if i := strings.LastIndexByte(cut, ' '); i > max/2 {
		cut = cut[:i]
	}
	return strings.TrimSpace(cut) + "…"
}
