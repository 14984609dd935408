package campaigntag_test

import (
	"strings"
	"testing"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/campaigntag"
)

func TestCheckAcceptsTagsOfAnyScript(t *testing.T) {
	t.Parallel()
	for given, want := range map[string]string{
		"":                            "",
		"  ":                          "",
		" Spring2026 ":                "Spring2026",
		"klimaat_actie":               "klimaat_actie",
		"Żółć":                        "Żółć",
		"東京":                          "東京",
		"हिन्दी":                      "हिन्दी", // combining vowel signs
		"2026_":                       "2026_",
		strings.Repeat("a", 100):      strings.Repeat("a", 100),
		strings.Repeat("ä", 100):      strings.Repeat("ä", 100),
		"a" + strings.Repeat("1", 99): "a" + strings.Repeat("1", 99),
	} {
		got, err := campaigntag.Check("hashtag", given)
		if err != nil || got != want {
			t.Errorf("Check(%q) = %q, %v; want %q", given, got, err, want)
		}
	}
}

func TestCheckRefusesWhatIsNoHashtag(t *testing.T) {
	t.Parallel()
	for _, given := range []string{
		"#spring", "spring time", "spring\ttime", "spring-time", "spring.", "spring#", "2026", "١٢٣", // digits only, Arabic-Indic too
		strings.Repeat("a", 101), "a\x00b", "bad\xffutf8", "emoji🌱", "new\nline",
	} {
		_, err := campaigntag.Check("hashtag", given)
		if apperror.KindOf(err) != apperror.KindInvalid {
			t.Errorf("Check(%q) = %v, want invalid", given, err)
		}
	}
}

func TestCarriesMatchesWholeTagsInAnyCase(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		text, tag string
		want      bool
	}{
		{"Join us #Spring2026", "spring2026", true},
		{"#SPRING2026 starts today", "Spring2026", true},
		{"(#spring2026)", "spring2026", true},
		{"line\n#spring2026\nnext", "spring2026", true},
		{"#spring2026, and more", "spring2026", true},
		{"#ŻÓŁĆ", "żółć", true},
		{"#spring20267", "spring2026", false},
		{"#spring2026_x", "spring2026", false},
		{"word#spring2026", "spring2026", false},
		{"https://example.org/#spring2026", "spring2026", false},
		{"spring2026 without the sign", "spring2026", false},
		{"#spring.2026", "spring2026", false},
		{"anything", "", false},
	} {
		if got := campaigntag.Carries(c.text, c.tag); got != c.want {
			t.Errorf("Carries(%q, %q) = %t, want %t", c.text, c.tag, got, c.want)
		}
	}
}

func TestAppendAddsTheTagOnceAsItsOwnParagraph(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ text, tag, want string }{
		{"Come along.", "Spring2026", "Come along.\n\n#Spring2026"},
		{"Come along.\n\n", "Spring2026", "Come along.\n\n#Spring2026"},
		{"Come along #spring2026.", "Spring2026", "Come along #spring2026."},
		{"Come along.", "", "Come along."},
		{"About #spring2026x", "spring2026", "About #spring2026x\n\n#spring2026"},
	} {
		got := campaigntag.Append(c.text, c.tag)
		if got != c.want {
			t.Errorf("Append(%q, %q) = %q, want %q", c.text, c.tag, got, c.want)
		}
		if again := campaigntag.Append(got, c.tag); again != got {
			t.Errorf("Append twice added the tag again: %q", again)
		}
	}
}
