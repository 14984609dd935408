package conversations

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/net/html"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// inlineElements are the elements of stored content that run on inside a word: "<b>sp</b>am" reads
// "spam". Every other element (paragraphs, line breaks, list items, quotes) separates words.
var inlineElements = map[string]bool{"a": true, "span": true, "del": true, "code": true, "em": true,
	"strong": true, "b": true, "i": true, "u": true, "s": true}

// postText is what a reader sees of a post: its summary (content warning) and its sanitised content
// with the markup dropped and entities decoded, so filters match the words shown, never markup.
func postText(summary, contentHTML string) string {
	var b strings.Builder
	b.WriteString(summary)
	b.WriteByte('\n')
	z := html.NewTokenizer(strings.NewReader(contentHTML))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			if name, _ := z.TagName(); !inlineElements[string(name)] {
				b.WriteByte('\n')
			}
		}
	}
}

// wordChar is what a whole-word keyword must not touch on either side. RE2's \b knows only ASCII
// letters; this class knows every script's letters, digits and combining marks.
const wordChar = `\p{L}\p{M}\p{N}_`

// keywordPattern compiles a filter's keyword: case-insensitive, and for a whole word bounded by the
// text's ends or a character that is not part of a word.
func keywordPattern(filter model.KeywordFilter) (*regexp.Regexp, error) {
	pattern := regexp.QuoteMeta(filter.Keyword)
	if filter.WholeWord {
		pattern = `(?:^|[^` + wordChar + `])` + pattern + `(?:$|[^` + wordChar + `])`
	}
	re, err := regexp.Compile(`(?i)` + pattern)
	if err != nil {
		return nil, fmt.Errorf("keyword filter %q: %w", filter.Keyword, err)
	}
	return re, nil
}

// matchingFilters returns the filters whose keyword text contains, in the order given.
func matchingFilters(filters []model.KeywordFilter, text string) ([]model.KeywordFilter, error) {
	var matched []model.KeywordFilter
	for _, filter := range filters {
		re, err := keywordPattern(filter)
		if err != nil {
			return nil, err
		}
		if re.MatchString(text) {
			matched = append(matched, filter)
		}
	}
	return matched, nil
}

// screen applies a group's keyword filters to a post's summary and its content, already sanitised
// (as it is stored): a reason when a filter rejects it (a rejecting filter wins over a holding one),
// held when one holds it.
func (s *Service) screen(ctx context.Context, tx *store.Store, group model.Group, summary, safeHTML string) (held bool, reason string, err error) {
	filters, err := tx.KeywordFilters(ctx, group.ID)
	if err != nil || len(filters) == 0 {
		return false, "", err
	}
	matched, err := matchingFilters(filters, postText(summary, safeHTML))
	if err != nil {
		return false, "", err
	}
	for _, filter := range matched {
		if filter.Action == model.FilterReject {
			return false, fmt.Sprintf("rejected by the keyword filter %q", filter.Keyword), nil
		}
	}
	return len(matched) > 0, "", nil
}
