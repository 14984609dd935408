// Package tasks is the vocabulary of background work: task type names, their payloads (ids, not
// documents), the queue each type runs on, and the constructors that describe a task to record with
// store.RecordTask. It is a leaf: it imports only app/store (for store.NewTask), so federation and app
// may use it directly, and workers, which runs the tasks, imports it too.
package tasks

import (
	"time"

	"github.com/kring-social/kring/app/store"
)

// Task types, in asynq's "family:action" style.
const (
	TypeDeliverActivity = "delivery:activity"
	TypeDeliverBatch    = "delivery:batch"
	TypeProcessInbound  = "inbound:activity"
	TypeSendEmail       = "mail:send"
	TypeStaffDigest     = "notify:digest"
	TypeEventReminder   = "event:remind"
	TypePublishDraft    = "draft:publish"
)

// Queue names. Each task type belongs to exactly one queue (see QueueFor).
const (
	QueueInbound     = "inbound"
	QueueDeliveries  = "deliveries"
	QueueMaintenance = "maintenance"
)

// DeliverActivityPayload asks for one stored delivery (one activity to one inbox) to be sent.
type DeliverActivityPayload struct {
	DeliveryID string `json:"delivery_id"`
}

// DeliverBatchPayload names the deliveries of one fan-out that one task sends together.
type DeliverBatchPayload struct {
	DeliveryIDs []string
}

// ProcessInboundPayload asks for one stored inbound activity to be parsed and applied.
type ProcessInboundPayload struct {
	InboundActivityID string `json:"inbound_activity_id"`
}

// SendEmailPayload asks for one stored outgoing e-mail to be sent.
type SendEmailPayload struct {
	EmailID string `json:"email_id"`
}

// StaffDigestPayload asks for a staff member's digest of notifications to be sent.
type StaffDigestPayload struct {
	StaffAccountID string `json:"staff_account_id"`
}

// EventReminderPayload asks for one reminder of an event to go to its participants. DueAt is when
// the reminder was due when the task was recorded: an edit that moves the event records a new task,
// and the stale one, whose DueAt no longer matches the reminder's, sends nothing.
type EventReminderPayload struct {
	ReminderID string    `json:"reminder_id"`
	DueAt      time.Time `json:"due_at"`
}

// NewEventReminderTask describes a reminder of an event, run when it is due.
func NewEventReminderTask(reminderID string, dueAt time.Time) store.NewTask {
	task := newTask(TypeEventReminder, EventReminderPayload{ReminderID: reminderID, DueAt: dueAt.UTC()})
	task.RunAt = dueAt
	return task
}

// PublishDraftPayload asks for a scheduled post draft to go out. PublishAt is the time it was
// scheduled for when the task was recorded: rescheduling records a new task, and the stale one,
// whose PublishAt no longer matches the draft's, publishes nothing.
type PublishDraftPayload struct {
	DraftID   string    `json:"draft_id"`
	PublishAt time.Time `json:"publish_at"`
}

// NewPublishDraftTask describes the publishing of a scheduled draft, run at its time.
func NewPublishDraftTask(draftID string, publishAt time.Time) store.NewTask {
	task := newTask(TypePublishDraft, PublishDraftPayload{DraftID: draftID, PublishAt: publishAt.UTC()})
	task.RunAt = publishAt
	return task
}

// NewSendEmailTask describes the sending of a stored e-mail.
func NewSendEmailTask(emailID string) store.NewTask {
	return newTask(TypeSendEmail, SendEmailPayload{EmailID: emailID})
}

// NewStaffDigestTask describes a staff member's digest, run at runAt.
func NewStaffDigestTask(staffAccountID string, runAt time.Time) store.NewTask {
	task := newTask(TypeStaffDigest, StaffDigestPayload{StaffAccountID: staffAccountID})
	task.RunAt = runAt
	return task
}

// NewDeliverActivityTask describes a delivery to record with store.RecordTask.
func NewDeliverActivityTask(deliveryID string) store.NewTask {
	return newTask(TypeDeliverActivity, DeliverActivityPayload{DeliveryID: deliveryID})
}

// NewDeliverBatchTask makes the task that sends a batch of a fan-out's deliveries.
func NewDeliverBatchTask(deliveryIDs []string) store.NewTask {
	return newTask(TypeDeliverBatch, DeliverBatchPayload{DeliveryIDs: deliveryIDs})
}

// NewProcessInboundTask describes the processing of an inbound activity to record.
func NewProcessInboundTask(inboundActivityID string) store.NewTask {
	return newTask(TypeProcessInbound, ProcessInboundPayload{InboundActivityID: inboundActivityID})
}

func newTask(taskType string, payload any) store.NewTask {
	return store.NewTask{Type: taskType, Queue: QueueFor(taskType), Payload: payload}
}

// QueueFor names the queue a task type runs on; unknown types go to maintenance, the lowest priority,
// so a typo cannot crowd out deliveries.
func QueueFor(taskType string) string {
	switch taskType {
	case TypeDeliverActivity, TypeDeliverBatch:
		return QueueDeliveries
	case TypeProcessInbound:
		return QueueInbound
	default:
		return QueueMaintenance
	}
}
