package conversations

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kring-social/kring/app/model"
)

// HoldReasons says why a held post waits for a moderator, as things stand now: the group's
// pre-moderation, the author's silenced domain, the holding keyword filters its text matches. Kring
// does not store why it held a post, so a reason that has gone since (a filter deleted, a domain
// unsilenced) is not shown; author is nil for posts without a remote author. A page of held posts
// loads a HoldScreen once instead.
func (s *Service) HoldReasons(ctx context.Context, group model.Group, post model.Post, author *model.RemoteActor) ([]string, error) {
	screen, err := s.HoldScreen(ctx, group, []*model.RemoteActor{author})
	if err != nil {
		return nil, err
	}
	return screen.Reasons(post, author), nil
}

// HoldScreen tells HoldReasons of many held posts of one group: it holds the group's holding
// keyword filters, compiled, and which of the authors' servers are silenced, each read once.
type HoldScreen struct {
	group    model.Group
	filters  []holdingFilter
	silenced map[string]bool // host -> silenced for the group's organisation
}

type holdingFilter struct {
	keyword string
	folded  string // foldKey(keyword)
	pattern *regexp.Regexp
}

// HoldScreen loads what the reasons of held posts of group by authors depend on: the group's keyword
// filters and the domain blocks covering the authors' servers, in two queries whatever the number of
// posts. Nil authors (the group's own posts) are skipped.
func (s *Service) HoldScreen(ctx context.Context, group model.Group, authors []*model.RemoteActor) (HoldScreen, error) {
	screen := HoldScreen{group: group, silenced: map[string]bool{}}
	var hosts []string
	for _, author := range authors {
		if author != nil {
			hosts = append(hosts, author.Host)
		}
	}
	blocks, err := s.store.DomainBlocksForHosts(ctx, hosts, group.OrganisationID)
	if err != nil {
		return HoldScreen{}, err
	}
	for host, covering := range blocks {
		for _, block := range covering {
			if block.Severity == model.SeveritySilence {
				screen.silenced[host] = true
			}
		}
	}
	filters, err := s.store.KeywordFilters(ctx, group.ID)
	if err != nil {
		return HoldScreen{}, err
	}
	for _, filter := range filters {
		if filter.Action != model.FilterHold {
			continue
		}
		pattern, err := keywordPattern(filter)
		if err != nil {
			return HoldScreen{}, err
		}
		screen.filters = append(screen.filters, holdingFilter{keyword: filter.Keyword, folded: foldKey(filter.Keyword), pattern: pattern})
	}
	return screen, nil
}

// Reasons is HoldReasons of one post of the screen's group; author must be nil or one of the
// authors the screen was loaded for.
func (h HoldScreen) Reasons(post model.Post, author *model.RemoteActor) []string {
	var reasons []string
	if h.group.PostingPolicy == model.PostingPremoderated {
		reasons = append(reasons, "the group is pre-moderated")
	}
	if author != nil && h.silenced[author.Host] {
		reasons = append(reasons, "the author's server "+author.Host+" is silenced")
	}
	if len(h.filters) == 0 {
		return reasons
	}
	text := postText(post.Summary, post.ContentHTML)
	folded := foldKey(text)
	for _, filter := range h.filters {
		// The pattern matches only where the keyword itself stands, letter case aside; most texts
		// do not hold most keywords at all, and a substring search says so far sooner.
		if strings.Contains(folded, filter.folded) && filter.pattern.MatchString(text) {
			reasons = append(reasons, fmt.Sprintf("the keyword filter %q", filter.keyword))
		}
	}
	return reasons
}

// foldKey maps s, rune by rune, to one rune of each rune's case-folding orbit (the runes a
// case-insensitive pattern takes for one another, unicode.SimpleFold): the smallest. So a pattern
// (?i)k can match in a text t only when foldKey(t) contains foldKey(k). Invalid bytes become U+FFFD,
// as the pattern reads them.
func foldKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case 'a' <= r && r <= 'z':
			r -= 'a' - 'A' // the ASCII letters' orbits start with the capital (K, k, Kelvin sign)
		case r >= utf8.RuneSelf:
			least := r
			for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
				least = min(least, f)
			}
			r = least
		}
		b.WriteRune(r)
	}
	return b.String()
}
