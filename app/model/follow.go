package model

import "time"

// FollowState is where a follow request stands.
type FollowState string

const (
	// FollowPending waits for a moderator of a group that approves followers.
	FollowPending FollowState = "pending"
	// FollowAccepted makes the actor a follower (a member) of the group.
	FollowAccepted FollowState = "accepted"
	// FollowRejected was refused; kept so a repeated Follow is answered the same way.
	FollowRejected FollowState = "rejected"
)

// Follow is a remote actor's follow of a group; accepted follows are the group's members.
type Follow struct {
	ID                string `gorm:"primaryKey"`
	GroupID           string
	RemoteActorID     string
	FollowActivityIRI string `gorm:"column:follow_activity_iri"` // the Follow's id, echoed in Accept/Reject
	State             FollowState
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (Follow) TableName() string { return "follows" }
