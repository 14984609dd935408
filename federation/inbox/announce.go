package inbox

import (
	"context"

	"github.com/go-fed/activity/streams/vocab"

	"github.com/kring-social/kring/app/model"
)

// applyAnnounce counts a boost of a post of Kring's groups: someone else's Announce of the group's
// own post, or of a member's post the group shared, reaches the group as the post's author or
// sharer. It is only counted: members post by addressing the group, an Announce vouches for nothing
// Kring could share without fetching it from its origin, and the group never relays boosts.
func (p *Processor) applyAnnounce(ctx context.Context, row model.InboundActivity, announce vocab.ActivityStreamsAnnounce) error {
	objects := objectIRIs(announce.GetActivityStreamsObject())
	if len(objects) != 1 {
		return ignored("Announce must have exactly one object")
	}
	counted, err := p.cfg.Store.CountBoost(ctx, objects[0], row.ActorIRI)
	switch {
	case err != nil:
		return err
	case counted == 0:
		return ignored("Announce of nothing this server's groups have, or by its author")
	}
	return nil
}
