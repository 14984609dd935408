package events

import (
	"context"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// MaxImageAlt bounds an event picture's alt text, as Mastodon bounds a media description.
const MaxImageAlt = 1500

// SetImage makes name (a picture already stored in the media directory) the event's image with its
// alt text, or takes the image away when name is empty; followers' servers are sent the Update. It
// returns the picture it replaced, which the caller deletes once nothing refers to it.
func (s *Service) SetImage(ctx context.Context, eventID string, staffID *string, name, alt string) (previous string, err error) {
	alt, err = textinput.Text("alt", alt, MaxImageAlt)
	if err != nil {
		return "", err
	}
	if name == "" {
		alt = ""
	}
	_, err = s.change(ctx, eventID, staffID, model.ActionEventEdit, func(tx *store.Store, group model.Group, event model.Event) (model.Event, error) {
		previous = event.ImagePath
		event.ImagePath, event.ImageAlt, event.Sequence, event.UpdatedAt = name, alt, event.Sequence+1, s.now()
		err := tx.UpdateEvent(ctx, event.ID, store.EventChange{ImagePath: store.To(name), ImageAlt: store.To(alt), Sequence: store.To(event.Sequence)})
		if err != nil {
			return event, err
		}
		return event, s.federateUpdate(ctx, tx, group, event)
	})
	if err != nil {
		return "", err
	}
	return previous, nil
}
