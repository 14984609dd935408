package conversations

import (
	"context"
	"fmt"

	"github.com/kring-social/kring/app/model"
)

// HoldReasons says why a held post waits for a moderator, as things stand now: the group's
// pre-moderation, the author's silenced domain, the holding keyword filters its text matches. Kring
// does not store why it held a post, so a reason that has gone since (a filter deleted, a domain
// unsilenced) is not shown; author is nil for posts without a remote author.
func (s *Service) HoldReasons(ctx context.Context, group model.Group, post model.Post, author *model.RemoteActor) ([]string, error) {
	var reasons []string
	if group.PostingPolicy == model.PostingPremoderated {
		reasons = append(reasons, "the group is pre-moderated")
	}
	if author != nil {
		_, silenced, err := domainStanding(ctx, s.store, author.Host, group.OrganisationID)
		if err != nil {
			return nil, err
		}
		if silenced {
			reasons = append(reasons, "the author's server "+author.Host+" is silenced")
		}
	}
	filters, err := s.store.KeywordFilters(ctx, group.ID)
	if err != nil || len(filters) == 0 {
		return reasons, err
	}
	matched, err := matchingFilters(filters, postText(post.Summary, post.ContentHTML))
	if err != nil {
		return nil, err
	}
	for _, filter := range matched {
		if filter.Action == model.FilterHold {
			reasons = append(reasons, fmt.Sprintf("the keyword filter %q", filter.Keyword))
		}
	}
	return reasons, nil
}
