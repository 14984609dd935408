package workers

import (
	"context"

	"github.com/hibiken/asynq"

	"github.com/kring-social/kring/app/drafts"
	"github.com/kring-social/kring/app/tasks"
)

// HandleScheduledDrafts registers the publishing of scheduled post drafts at their time.
func (s *Server) HandleScheduledDrafts(service *drafts.Service) {
	s.HandleFunc(tasks.TypePublishDraft, func(ctx context.Context, task *asynq.Task) error {
		payload, err := DecodePayload[tasks.PublishDraftPayload](task)
		if err != nil {
			return err
		}
		return service.PublishDue(ctx, payload.DraftID, payload.PublishAt)
	})
}
