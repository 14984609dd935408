package groups

import (
	"context"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// SetArchived archives a group or brings it back, recording group.archive or group.unarchive with
// the reason. An archived group keeps its followers and posts but takes no follows or posts, and
// its actor answers 410 Gone; bringing it back serves the actor again, and followers' servers see
// the group as it is when they next fetch it. Archiving an archived group changes nothing.
func (s *Service) SetArchived(ctx context.Context, groupID string, archived bool, reason, staffID string) (model.Group, error) {
	reason, err := textinput.Text("reason", reason, maxReasonLength)
	if err != nil {
		return model.Group{}, err
	}
	return s.changeGroup(ctx, groupID, staffID, func(_ *store.Store, current model.Group) (groupChange, error) {
		if (current.ArchivedAt != nil) == archived {
			return groupChange{}, nil
		}
		var at *time.Time
		action := model.ActionGroupUnarchive
		if archived {
			now := time.Now()
			at, action = &now, model.ActionGroupArchive
		}
		return groupChange{write: store.GroupChange{ArchivedAt: store.To(at)},
			entry: store.LogEntry{Action: action, Reason: reason}}, nil
	})
}
