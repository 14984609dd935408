package inbox

import (
	"context"

	"github.com/kring-social/kring/app/community"
	"github.com/kring-social/kring/app/model"
)

// isDirect says a post is not for the public: addressed to people (the group among them) or to its
// author's followers, with no Public anywhere. To a group, that is a message for its staff.
func isDirect(visibility model.Visibility) bool {
	return visibility == model.VisibilityDirect || visibility == model.VisibilityFollowers
}

// applyDirect takes a member's direct message into the support inbox of each group it addresses.
// It is never announced and never enters a group's threads.
func (p *Processor) applyDirect(ctx context.Context, row model.InboundActivity, read readPost, author model.RemoteActor, addressed []model.Group) error {
	if p.cfg.Community == nil {
		return ignored("direct message to a group: no support inbox on this server")
	}
	results, err := p.cfg.Community.ReceiveDirect(ctx, author, community.DirectMessage{ActivityIRI: row.ActivityIRI,
		ObjectIRI: read.ID, ContentHTML: read.ContentHTML, InReplyTo: read.InReplyTo, PublishedAt: read.Published}, addressed)
	if err != nil {
		return err
	}
	taken := 0
	for _, r := range results {
		p.cfg.Logger.InfoContext(ctx, "direct message received", "object", read.ID, "group", r.GroupID,
			"outcome", string(r.Outcome), "conversation", r.ConversationID, "reason", r.Reason)
		if r.Outcome != community.SupportRefused {
			taken++
		}
	}
	if taken == 0 {
		return ignored("direct message refused: %s", results[0].Reason)
	}
	return nil
}

// directChanges applies an author's edit (read's content) or deletion (deleted) of her direct
// message to the support inboxes that have it, and says how many messages changed.
func (p *Processor) directChanges(ctx context.Context, author model.RemoteActor, read readPost, deleted bool) (int, error) {
	if p.cfg.Community == nil {
		return 0, nil
	}
	var n int64
	var err error
	if deleted {
		n, err = p.cfg.Community.WithdrawDirect(ctx, author, read.ID)
	} else {
		n, err = p.cfg.Community.EditDirect(ctx, author, read.ID, read.ContentHTML, read.Updated)
	}
	return int(n), err
}
