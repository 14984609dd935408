package conversations

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kring-social/kring/app/model"
)

// foldedAlphabet has runes whose case folding is unusual: the Kelvin sign and long s fold with ASCII
// letters, sigma has three forms, dotted and dotless i do not fold with i, and ß folds with its
// capital only; plus an invalid byte, word boundaries and a combining mark.
var foldedAlphabet = []string{"k", "K", "\u212a", "s", "S", "\u017f", "σ", "ς", "Σ", "i", "I", "İ", "ı", "ß", "ẞ",
	"ss", "é", "É", "e\u0301", "\xff", " ", "_", "-", "a", "Ω", "ω", "\u2126"}

func foldedString(r *rand.Rand, max int) string {
	var b strings.Builder
	for range 1 + r.IntN(max) {
		b.WriteString(foldedAlphabet[r.IntN(len(foldedAlphabet))])
	}
	return b.String()
}

// checkFoldKey: a substring keyword's pattern matches exactly when the folded text contains the
// folded keyword, and a whole-word one never matches where it does not.
func checkFoldKey(t *testing.T, keyword, text string) {
	t.Helper()
	if !utf8.ValidString(keyword) {
		return // a keyword is checked text: no pattern is made of invalid bytes
	}
	contains := strings.Contains(foldKey(text), foldKey(keyword))
	for _, whole := range []bool{false, true} {
		pattern, err := keywordPattern(model.KeywordFilter{Keyword: keyword, WholeWord: whole})
		if err != nil {
			t.Fatal(err)
		}
		matches := pattern.MatchString(text)
		if matches && !contains || !whole && matches != contains {
			t.Fatalf("keyword %q (whole word %t) in %q: pattern matches %t, folded text contains it %t",
				keyword, whole, text, matches, contains)
		}
	}
}

func TestFoldKeyAgreesWithPatterns(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(10, 10))
	for range 20000 {
		checkFoldKey(t, foldedString(r, 3), foldedString(r, 12))
	}
}

func FuzzFoldKeyAgreesWithPatterns(f *testing.F) {
	f.Add("Kelvin", "the \u212aELVIN scale")
	f.Add("straße", "STRAẞE")
	f.Add("σοφία", "ΣΟΦΊΑ")
	f.Add("spam", "sp\xffam")
	f.Fuzz(func(t *testing.T, keyword, text string) {
		if keyword == "" {
			return // the service refuses empty keywords
		}
		checkFoldKey(t, keyword, text)
	})
}
