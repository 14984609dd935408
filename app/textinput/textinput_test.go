package textinput

import (
	"strings"
	"testing"

	"github.com/kring-social/kring/app/apperror"
)

func TestSlug(t *testing.T) {
	t.Parallel()
	cases := []struct {
		slug string
		ok   bool
	}{
		{"lobby", true}, {"a", true}, {"team_2026", true}, {"0day", true},
		{strings.Repeat("a", 30), true}, {strings.Repeat("a", 31), false},
		{"", false}, {"Lobby", false}, {"_lobby", false}, {"lob-by", false}, {"lob by", false},
		{"lobby\n", false}, {"löbby", false}, {"admin", false}, {"inbox", false}, {"groups", false},
	}
	for _, tc := range cases {
		err := Slug("slug", tc.slug)
		if (err == nil) != tc.ok {
			t.Errorf("Slug(%q) = %v, want ok=%t", tc.slug, err, tc.ok)
		}
		if err != nil && (apperror.KindOf(err) != apperror.KindInvalid || !strings.HasPrefix(err.Error(), "slug: ")) {
			t.Errorf("Slug(%q) error %q should be Invalid and name the field", tc.slug, err)
		}
	}
}

func TestNameAndText(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		check   func() (string, error)
		want    string
		wantErr string
	}{
		{"name trimmed", func() (string, error) { return Name("name", "  Lobby  ", true) }, "Lobby", ""},
		{"name required", func() (string, error) { return Name("name", "   ", true) }, "", "must not be empty"},
		{"name optional", func() (string, error) { return Name("display_name", "", false) }, "", ""},
		{"name line break", func() (string, error) { return Name("name", "Lob\nby", true) }, "", "control characters"},
		{"name too long", func() (string, error) { return Name("name", strings.Repeat("é", 101), true) }, "", "at most 100"},
		{"name bad utf-8", func() (string, error) { return Name("name", "\xff", true) }, "", "UTF-8"},
		{"text keeps lines", func() (string, error) { return Text("rules", " 1. Be kind\n2. No ads\t", 50) }, "1. Be kind\n2. No ads", ""},
		{"text control char", func() (string, error) { return Text("rules", "a\x00b", 50) }, "", "control characters"},
		{"text too long", func() (string, error) { return Text("summary", strings.Repeat("x", 51), 50) }, "", "at most 50"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.check()
			if tc.wantErr == "" {
				if err != nil || got != tc.want {
					t.Fatalf("got %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || apperror.KindOf(err) != apperror.KindInvalid {
				t.Fatalf("error %v, want Invalid containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestHTMLToTextUndoesTextToHTML(t *testing.T) {
	for _, text := range []string{"One line", "Two\nlines", "First <paragraph> & more\n\nSecond\nwith a break", "Tom's \"quote\""} {
		if got := HTMLToText(TextToHTML(text)); got != text {
			t.Errorf("HTMLToText(TextToHTML(%q)) = %q", text, got)
		}
	}
	if got := HTMLToText(`<div>not <b>ours</b></div>`); got != "not ours" {
		t.Errorf("foreign HTML: %q", got)
	}
}
