package model

import "time"

// InboundState is how far an inbox activity has been processed.
type InboundState string

const (
	InboundPending   InboundState = "pending"
	InboundProcessed InboundState = "processed"
	InboundIgnored   InboundState = "ignored" // understood, nothing to do
	InboundFailed    InboundState = "failed"  // Error says why
)

// InboundActivity is an activity received at an inbox, stored before it is acknowledged.
type InboundActivity struct {
	ID           string `gorm:"primaryKey"`
	ActivityIRI  string `gorm:"column:activity_iri"`
	ActorIRI     string `gorm:"column:actor_iri"`
	ActivityType string
	GroupID      *string // the group inbox it came to; nil for the shared inbox
	RawBody      string
	State        InboundState
	Attempts     int
	Error        string
	ReceivedAt   time.Time
	ProcessedAt  *time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (InboundActivity) TableName() string { return "inbound_activities" }
