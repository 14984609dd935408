package workers

import (
	"context"
	"errors"
	"time"

	"github.com/hibiken/asynq"

	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/federation/delivery"
	"github.com/kring-social/kring/federation/inbox"
)

// busyHostDelay is how long a delivery waits when its host has every slot in use.
const busyHostDelay = 2 * time.Second

// HandleInbound registers the processing of stored inbound activities.
func (s *Server) HandleInbound(processor *inbox.Processor) {
	s.HandleFunc(tasks.TypeProcessInbound, func(ctx context.Context, task *asynq.Task) error {
		payload, err := DecodePayload[tasks.ProcessInboundPayload](task)
		if err != nil {
			return err
		}
		return processor.Process(ctx, payload.InboundActivityID)
	})
}

// HandleDeliveries registers the delivery of outbound activities, in batches (a fan-out's first
// attempt) and one by one (retries, single answers), turning the deliverer's answers into the queue's
// terms: a busy host postpones without spending a retry, a Retry-After sets the delay,
// and the attempt asynq will not retry is told it is the last, so the delivery is abandoned.
func (s *Server) HandleDeliveries(deliverer *delivery.Deliverer) {
	s.HandleFunc(tasks.TypeDeliverActivity, func(ctx context.Context, task *asynq.Task) error {
		payload, err := DecodePayload[tasks.DeliverActivityPayload](task)
		if err != nil {
			return err
		}
		retried, _ := asynq.GetRetryCount(ctx)
		maxRetry, ok := asynq.GetMaxRetry(ctx)
		err = deliverer.Deliver(ctx, payload.DeliveryID, ok && retried >= maxRetry)
		var later *delivery.RetryLater
		switch {
		case errors.Is(err, delivery.ErrHostBusy):
			return &Postponed{Delay: busyHostDelay, Reason: err.Error()}
		case errors.As(err, &later) && later.Delay > 0:
			return &RetryAfter{Delay: later.Delay, Err: later}
		}
		return err
	})
	s.HandleFunc(tasks.TypeDeliverBatch, func(ctx context.Context, task *asynq.Task) error {
		payload, err := DecodePayload[tasks.DeliverBatchPayload](task)
		if err != nil {
			return err
		}
		return deliverer.DeliverBatch(ctx, payload.DeliveryIDs)
	})
}
