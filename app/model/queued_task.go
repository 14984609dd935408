package model

import "time"

// QueuedTask is the durable record of one unit of background work (see migrations 00001). Its ID is
// also the asynq TaskID, so enqueuing the same row twice is refused by the broker instead of running
// the work twice.
type QueuedTask struct {
	ID         string `gorm:"primaryKey"`
	TaskType   string
	Queue      string
	Payload    string // JSON of the task's payload struct
	RunAt      time.Time
	EnqueuedAt *time.Time // last time the row was handed to the broker
	Attempts   int
	LastError  string
	DeadAt     *time.Time // set when retries ran out; the sweeper leaves the row alone then
	CreatedAt  time.Time
	// Unrecorded marks the task of an inbound activity that has no row here: the activity's pending
	// row in inbound_activities stands for it (migration 30), and the task gets a row of its own only
	// when something goes wrong (the broker refused it, its lease ran out, an attempt failed).
	Unrecorded bool `gorm:"-"`
}

// TableName pins the table name so renaming the struct never renames the table.
func (QueuedTask) TableName() string { return "queued_tasks" }
