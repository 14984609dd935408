package textinput_test

import (
	"reflect"
	"testing"

	"github.com/kring-social/kring/app/textinput"
)

// TestHashtagsAndMentionsAreFoundAsMastodonFindsThem: hashtags of any script, not digits alone,
// not inside links, words or entities; mentions of user@host (with a port too), not e-mail
// addresses; each once.
func TestHashtagsAndMentionsAreFoundAsMastodonFindsThem(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		text     string
		hashtags []string
		mentions []textinput.Mention
	}{
		{"Join us #Gardening and #gardening, #über_alles #日本語", []string{"Gardening", "über_alles", "日本語"}, nil},
		{"#123 is a number, #1st is a tag", []string{"1st"}, nil},
		{"see https://example.org/page#section and example.org/#x, page#not, &#35;", nil, nil},
		{"(#inbrackets) \"#quoted\"", []string{"inbrackets", "quoted"}, nil},
		{"hi @alice@Social.Example! and @alice@social.example, mail me@example.com", nil,
			[]textinput.Mention{{User: "alice", Host: "social.example"}}},
		{"@bob@127.0.0.1:8080 on a port; @carol alone is no one", nil, []textinput.Mention{{User: "bob", Host: "127.0.0.1:8080"}}},
		{"https://x.example/@dave@y.example is a link", nil, nil},
	} {
		if got := textinput.Hashtags(c.text); !reflect.DeepEqual(got, c.hashtags) {
			t.Errorf("Hashtags(%q) = %q, want %q", c.text, got, c.hashtags)
		}
		if got := textinput.Mentions(c.text); !reflect.DeepEqual(got, c.mentions) {
			t.Errorf("Mentions(%q) = %+v, want %+v", c.text, got, c.mentions)
		}
	}
}

// TestPostToHTMLWritesMastodonsMarkup: hashtags, mentions and links in the HTML Mastodon writes,
// everything else escaped; a mention nobody looked up stays text.
func TestPostToHTMLWritesMastodonsMarkup(t *testing.T) {
	t.Parallel()
	links := textinput.PostLinks{
		HashtagURL: func(tag string) string { return "https://kring.example/groups/lobby?tag=" + tag },
		Mentions:   map[string]textinput.MentionLink{"@alice@social.example": {ProfileURL: "https://social.example/@alice"}},
	}
	got := textinput.PostToHTML("Hello @Alice@social.example & @bob@else.example <b>\n#Garden https://example.org/a?b=1&c=2.\n\nBye", links)
	want := `<p>Hello <span class="h-card" translate="no"><a href="https://social.example/@alice" class="u-url mention">@<span>Alice</span></a></span>` +
		` &amp; @bob@else.example &lt;b&gt;<br>` +
		`<a href="https://kring.example/groups/lobby?tag=garden" class="mention hashtag" rel="tag">#<span>Garden</span></a> ` +
		`<a href="https://example.org/a?b=1&amp;c=2" target="_blank" rel="nofollow noopener noreferrer" translate="no">https://example.org/a?b=1&amp;c=2</a>.</p><p>Bye</p>`
	if got != want {
		t.Errorf("PostToHTML:\n got %s\nwant %s", got, want)
	}
	if plain := textinput.PostToHTML("#tag @a@b.example", textinput.PostLinks{}); plain != "<p>#tag @a@b.example</p>" {
		t.Errorf("without links: %s", plain)
	}
}

func TestValidHashtagAndLanguage(t *testing.T) {
	t.Parallel()
	for tag, want := range map[string]bool{"garden": true, "Über": true, "123": false, "a b": false, "": false, "x#y": false} {
		if got := textinput.ValidHashtag(tag); got != want {
			t.Errorf("ValidHashtag(%q) = %t", tag, got)
		}
	}
	if _, err := textinput.LanguageCode("language", "xx"); err == nil {
		t.Error("an unknown language code was taken")
	}
	if code, err := textinput.LanguageCode("language", "de"); err != nil || code != "de" {
		t.Errorf("de: %q %v", code, err)
	}
}
