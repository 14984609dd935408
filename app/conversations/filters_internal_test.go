package conversations

import (
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/textinput"
)

// TestKeywordMatching: case is ignored, markup never matches and never joins words across
// paragraphs, and a whole word needs a non-word character (in any script) or an end on each side.
func TestKeywordMatching(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		keyword   string
		wholeWord bool
		summary   string
		content   string
		want      bool
	}{
		{"plain", "spam", true, "", "<p>buy spam now</p>", true},
		{"case ignored", "spam", true, "", "<p>Buy SPAM now</p>", true},
		{"keyword case ignored", "SpAm", false, "", "<p>spam</p>", true},
		{"inside a word, whole word", "spam", true, "", "<p>spammer</p>", false},
		{"inside a word, substring", "spam", false, "", "<p>spammer</p>", true},
		{"punctuation is a boundary", "spam", true, "", "<p>(spam!)</p>", true},
		{"underscore is part of a word", "spam", true, "", "<p>my_spam</p>", false},
		{"non-ASCII letter is part of a word", "caf", true, "", "<p>café</p>", false},
		{"non-ASCII keyword", "café", true, "", "<p>Un CAFÉ noir</p>", true},
		{"phrase", "free money", true, "", "<p>get <b>free money</b> today</p>", true},
		{"tag names do not match", "strong", false, "", "<p><strong>bold</strong></p>", false},
		{"attributes do not match", "evil", false, "", `<p><a href="https://evil.example/">a link</a></p>`, false},
		{"entities decoded", "fish & chips", true, "", "<p>fish &amp; chips</p>", true},
		{"inline markup runs on inside a word", "spam", true, "", "<p>sp<em>am</em></p>", true},
		{"paragraphs separate words", "spameggs", false, "", "<p>spam</p><p>eggs</p>", false},
		{"line breaks separate words", "spam", true, "", "<p>eggs<br>spam<br>ham</p>", true},
		{"summary counts", "spoiler", true, "Spoiler ahead", "<p>text</p>", true},
		{"absent", "spam", false, "", "<p>ham and eggs</p>", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			filters := []model.KeywordFilter{{Keyword: tc.keyword, WholeWord: tc.wholeWord, Action: model.FilterHold}}
			matched, err := matchingFilters(filters, postText(tc.summary, textinput.SanitizeHTML(tc.content)))
			if err != nil {
				t.Fatal(err)
			}
			if got := len(matched) == 1; got != tc.want {
				t.Errorf("%q in %q: matched %t, want %t", tc.keyword, tc.content, got, tc.want)
			}
		})
	}
}
