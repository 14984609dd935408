package model

import "time"

// Welcome is the direct message a group sent a new member, once per member and group.
type Welcome struct {
	ID            string `gorm:"primaryKey"`
	GroupID       string
	RemoteActorID string
	ActivityIRI   string // the Create that carried it
	ObjectIRI     string // the Note: a reply to it is the member answering the welcome
	ContentHTML   string
	SentAt        time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (Welcome) TableName() string { return "welcomes" }
