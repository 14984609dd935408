package model

import "time"

// OutboundActivity is an activity a local actor sends, serialized once for every inbox it goes to.
type OutboundActivity struct {
	ID           string `gorm:"primaryKey"`
	ActivityIRI  string `gorm:"column:activity_iri"`
	ActorKind    KeyOwnerKind
	GroupID      *string // the sending group; nil for the instance actor
	PostID       *string // the post the activity is about (its Create, Update or Announce); nil otherwise
	ActivityType string
	Body         string // the JSON-LD document as sent
	CreatedAt    time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (OutboundActivity) TableName() string { return "outbound_activities" }

// DeliveryState is where one delivery stands.
type DeliveryState string

const (
	DeliveryPending   DeliveryState = "pending"
	DeliveryDelivered DeliveryState = "delivered"
	DeliveryFailed    DeliveryState = "failed"    // refused for good (a 4xx other than 429)
	DeliveryAbandoned DeliveryState = "abandoned" // retries ran out
)

// Delivery is one outbound activity to one inbox: a row of the delivery outbox.
type Delivery struct {
	ID                 string `gorm:"primaryKey"`
	OutboundActivityID string
	InboxURL           string `gorm:"column:inbox_url"`
	Host               string
	State              DeliveryState
	Attempts           int
	NextAttemptAt      time.Time
	LastStatus         int // HTTP status of the last attempt; 0 when none came back
	LastError          string
	DeliveredAt        *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (Delivery) TableName() string { return "deliveries" }

// RemoteHost is the circuit breaker's record of one remote server.
type RemoteHost struct {
	ID                  string `gorm:"primaryKey"`
	Host                string
	ConsecutiveFailures int
	TotalFailures       int64
	TotalSuccesses      int64
	UnreachableSince    *time.Time
	NextProbeAt         *time.Time
	LastSuccessAt       *time.Time
	LastFailureAt       *time.Time
	LastError           string
	Software            string     // NodeInfo software name; empty when unknown
	SoftwareCheckedAt   *time.Time // when NodeInfo was last asked
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (RemoteHost) TableName() string { return "remote_hosts" }
