package workers

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/kring-social/kring/app/store"
)

// Task types, in asynq's "family:action" style.
const (
	TypeDeliverActivity    = "delivery:activity"
	TypeDeliverBatch       = "delivery:batch"
	TypeProcessInbound     = "inbound:activity"
	TypePublishScheduled   = "scheduled:publish"
	TypeRefreshRemoteActor = "maintenance:refresh-actor"
)

// DeliverActivityPayload asks for one stored delivery (one activity to one inbox) to be sent.
type DeliverActivityPayload struct {
	DeliveryID string `json:"delivery_id"`
}

// ProcessInboundPayload asks for one stored inbound activity to be parsed and applied.
type ProcessInboundPayload struct {
	InboundActivityID string `json:"inbound_activity_id"`
}

// PublishScheduledPayload asks for a scheduled post to be published.
type PublishScheduledPayload struct {
	PostID string `json:"post_id"`
}

// RefreshRemoteActorPayload asks for a cached remote actor document to be fetched again.
type RefreshRemoteActorPayload struct {
	RemoteActorID string `json:"remote_actor_id"`
}

// NewDeliverActivityTask describes a delivery to record with store.RecordTask.
func NewDeliverActivityTask(deliveryID string) store.NewTask {
	return newTask(TypeDeliverActivity, DeliverActivityPayload{DeliveryID: deliveryID}, time.Time{})
}

// DeliverBatchPayload names the deliveries of one fan-out that one task sends together.
type DeliverBatchPayload struct {
	DeliveryIDs []string
}

// NewDeliverBatchTask makes the task that sends a batch of a fan-out's deliveries.
func NewDeliverBatchTask(deliveryIDs []string) store.NewTask {
	return newTask(TypeDeliverBatch, DeliverBatchPayload{DeliveryIDs: deliveryIDs}, time.Time{})
}

// NewProcessInboundTask describes the processing of an inbound activity to record.
func NewProcessInboundTask(inboundActivityID string) store.NewTask {
	return newTask(TypeProcessInbound, ProcessInboundPayload{InboundActivityID: inboundActivityID}, time.Time{})
}

// NewPublishScheduledTask describes the publication of a post at publishAt.
func NewPublishScheduledTask(postID string, publishAt time.Time) store.NewTask {
	return newTask(TypePublishScheduled, PublishScheduledPayload{PostID: postID}, publishAt)
}

// NewRefreshRemoteActorTask describes a refresh of a cached remote actor.
func NewRefreshRemoteActorTask(remoteActorID string) store.NewTask {
	return newTask(TypeRefreshRemoteActor, RefreshRemoteActorPayload{RemoteActorID: remoteActorID}, time.Time{})
}

func newTask(taskType string, payload any, runAt time.Time) store.NewTask {
	return store.NewTask{Type: taskType, Queue: QueueFor(taskType), Payload: payload, RunAt: runAt}
}

// QueueFor names the queue a task type runs on; unknown types go to maintenance, the lowest priority,
// so a typo cannot crowd out deliveries.
func QueueFor(taskType string) string {
	switch taskType {
	case TypeDeliverActivity, TypeDeliverBatch:
		return QueueDeliveries
	case TypeProcessInbound:
		return QueueInbound
	case TypePublishScheduled:
		return QueueScheduled
	default:
		return QueueMaintenance
	}
}

// DecodePayload reads a task's JSON payload. A payload that does not decode will never decode, so the
// error wraps asynq.SkipRetry.
func DecodePayload[T any](task *asynq.Task) (T, error) {
	var payload T
	if err := json.Unmarshal(task.Payload(), &payload); err != nil {
		return payload, fmt.Errorf("decode %s payload: %v: %w", task.Type(), err, asynq.SkipRetry)
	}
	return payload, nil
}
