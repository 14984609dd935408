package textinput

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// What a group's post links, as Mastodon finds it in a status's text: web links, #hashtags and
// @user@host mentions. One scanner finds all three, so a '#' or '@' inside a link is part of the
// link and never a hashtag or a mention.
var postTokens = regexp.MustCompile(
	// a web link, up to white space; trailing punctuation is trimmed afterwards (trimLink)
	`(?P<link>https?://[^\s<>"]+)` +
		// a mention: @user@host[:port], user and host as Mastodon's account pattern takes them
		`|(?P<mention>@[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?)` +
		// a hashtag: letters, digits (of any script) and underscores, not digits alone (checked after)
		`|(?P<hashtag>#[\p{L}\p{M}\p{N}_]+)`)

// maxHashtagLength bounds one hashtag, as it bounds Mastodon's tag names.
const maxHashtagLength = 100

// Mention is an @user@host handle found in a text.
type Mention struct {
	User string
	Host string // lower case; with :port when the handle gave one
}

// Handle is the mention as Mastodon names it: "@user@host".
func (m Mention) Handle() string { return "@" + m.User + "@" + m.Host }

// key is how two mentions of one account compare: by user and host, whatever the case.
func (m Mention) key() string { return strings.ToLower(m.User) + "@" + m.Host }

// postToken is one link, mention or hashtag found in a text, at text[start:end].
type postToken struct {
	start, end int
	kind       string // "link", "mention" or "hashtag"
}

// scanPost finds the links, mentions and hashtags of text, in order.
func scanPost(text string) []postToken {
	var found []postToken
	names := postTokens.SubexpNames()
	for _, match := range postTokens.FindAllStringSubmatchIndex(text, -1) {
		for group := 1; group < len(names); group++ {
			start, end := match[2*group], match[2*group+1]
			if start < 0 {
				continue
			}
			token := postToken{start: start, end: end, kind: names[group]}
			if token, ok := checkToken(text, token); ok {
				found = append(found, token)
			}
			break
		}
	}
	return found
}

// checkToken applies what the pattern cannot say: a mention or hashtag starts a word (not
// "me@example.com" nor "page#section"), a hashtag is not digits alone (#123), a link stops before the
// punctuation that ends its sentence.
func checkToken(text string, t postToken) (postToken, bool) {
	switch t.kind {
	case "link":
		t.end = t.start + len(trimLink(text[t.start:t.end]))
		return t, t.end > t.start+len("https://")
	case "mention", "hashtag":
		if t.start > 0 && !startsWord(text[:t.start]) {
			return t, false
		}
		if t.kind == "hashtag" {
			name := text[t.start+1 : t.end]
			return t, strings.TrimLeft(name, "0123456789") != "" && len([]rune(name)) <= maxHashtagLength
		}
	}
	return t, true
}

// startsWord reports whether what comes after before may begin a mention or a hashtag: as in
// Mastodon, not after a letter, digit or underscore, nor after '=', '/', ')' or another '#', '&' or
// '@' (an address, a URL's fragment, an entity).
func startsWord(before string) bool {
	last, _ := utf8.DecodeLastRuneInString(before)
	return !(unicode.IsLetter(last) || unicode.IsDigit(last) || unicode.IsMark(last) || strings.ContainsRune("_=/)#&@", last))
}

// trimLink drops the punctuation that ends a sentence from a link's end, and a closing bracket the
// link did not open.
func trimLink(link string) string {
	for link != "" {
		last := link[len(link)-1]
		switch {
		case strings.IndexByte(".,;:!?'\"", last) >= 0:
			link = link[:len(link)-1]
		case last == ')' && strings.Count(link, "(") < strings.Count(link, ")"):
			link = link[:len(link)-1]
		default:
			return link
		}
	}
	return link
}

// Hashtags are the hashtags of text, as written and without the '#', each once (compared without
// case), in the order they first appear.
func Hashtags(text string) []string {
	var tags []string
	seen := map[string]bool{}
	for _, t := range scanPost(text) {
		if t.kind != "hashtag" {
			continue
		}
		name := text[t.start+1 : t.end]
		if key := HashtagKey(name); !seen[key] {
			seen[key] = true
			tags = append(tags, name)
		}
	}
	return tags
}

// HashtagKey is how hashtags compare and are looked up: in lower case, without the '#'.
func HashtagKey(name string) string { return strings.ToLower(strings.TrimPrefix(name, "#")) }

// ValidHashtag reports whether name (without the '#') is a hashtag as Kring finds them in texts.
func ValidHashtag(name string) bool {
	tokens := scanPost("#" + name)
	return len(tokens) == 1 && tokens[0].kind == "hashtag" && tokens[0].end == len(name)+1
}

// Mentions are the accounts text mentions, each once, in the order they first appear.
func Mentions(text string) []Mention {
	var mentions []Mention
	seen := map[string]bool{}
	for _, t := range scanPost(text) {
		if t.kind != "mention" {
			continue
		}
		user, host, _ := strings.Cut(text[t.start+1:t.end], "@")
		m := Mention{User: user, Host: strings.ToLower(host)}
		if !seen[m.key()] {
			seen[m.key()] = true
			mentions = append(mentions, m)
		}
	}
	return mentions
}

// MentionLink is where a mention in a post leads: the account's profile page.
type MentionLink struct {
	ProfileURL string
}

// PostLinks say where a post's hashtags and mentions lead. A hashtag is linked when HashtagURL is
// set; a mention only when Mentions has its account (an account not looked up stays plain text).
type PostLinks struct {
	HashtagURL func(tag string) string // tag as HashtagKey gives it
	Mentions   map[string]MentionLink  // by Mention.Handle, compared without case
}

func (l PostLinks) mention(m Mention) (MentionLink, bool) {
	for handle, link := range l.Mentions {
		user, host, _ := strings.Cut(strings.TrimPrefix(handle, "@"), "@")
		if (Mention{User: user, Host: strings.ToLower(host)}).key() == m.key() {
			return link, true
		}
	}
	return MentionLink{}, false
}

// PostToHTML is TextToHTML with the text's links, hashtags and mentions made into links, in the
// HTML Mastodon writes for them, so its apps show them as they show its own.
func PostToHTML(text string, links PostLinks) string {
	return textToHTML(text, func(line string) string { return linkLine(line, links) })
}

// linkLine escapes one line of text, its links, hashtags and mentions made into links.
func linkLine(line string, links PostLinks) string {
	var b strings.Builder
	at := 0
	for _, t := range scanPost(line) {
		b.WriteString(html.EscapeString(line[at:t.start]))
		b.WriteString(tokenHTML(line[t.start:t.end], t.kind, links))
		at = t.end
	}
	b.WriteString(html.EscapeString(line[at:]))
	return b.String()
}

func tokenHTML(word, kind string, links PostLinks) string {
	escaped := html.EscapeString(word)
	switch kind {
	case "link":
		return `<a href="` + escaped + `" target="_blank" rel="nofollow noopener noreferrer" translate="no">` + escaped + `</a>`
	case "hashtag":
		if links.HashtagURL == nil {
			return escaped
		}
		href := html.EscapeString(links.HashtagURL(HashtagKey(word)))
		return `<a href="` + href + `" class="mention hashtag" rel="tag">#<span>` + html.EscapeString(word[1:]) + `</span></a>`
	default:
		user, host, _ := strings.Cut(word[1:], "@")
		link, ok := links.mention(Mention{User: user, Host: strings.ToLower(host)})
		if !ok {
			return escaped
		}
		return `<span class="h-card" translate="no"><a href="` + html.EscapeString(link.ProfileURL) +
			`" class="u-url mention">@<span>` + html.EscapeString(user) + `</span></a></span>`
	}
}
