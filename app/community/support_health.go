package community

import (
	"context"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// countSupportStatusChange counts, in the group's figures of the day, a conversation (as it is
// before the change) moving to status: closing it counts a close; moving a closed one to any other
// status (staff reopening or answering it, the member writing in it) counts an opening, so opened
// minus closed over a period is how much the inbox grew. Moves between the statuses of a
// conversation in progress, and a closed one closed again, count nothing.
func countSupportStatusChange(ctx context.Context, tx *store.Store, conversation model.SupportConversation, status model.SupportStatus) error {
	switch {
	case status == model.SupportClosed && conversation.Status != model.SupportClosed:
		return tx.CountSupportClosed(ctx, conversation.GroupID)
	case status != model.SupportClosed && conversation.Status == model.SupportClosed:
		return tx.CountSupportOpened(ctx, conversation.GroupID)
	}
	return nil
}
