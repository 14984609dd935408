package model

import "time"

// GroupMention is a public or unlisted post that addressed a group, from someone who is not its
// member: kept so that staff can read and answer what the group's outside world says to it, whether
// or not the group took the post in.
type GroupMention struct {
	ID            string
	GroupID       string
	ObjectIRI     string
	URL           string
	RemoteActorID string
	AuthorHost    string
	ContentHTML   string // sanitised and clipped when kept
	Summary       string
	PublishedAt   time.Time
	ReceivedAt    time.Time
	PostID        *string // the group's post of it, when the group took it in too
}

// TableName pins the table name so renaming the struct never renames the table.
func (GroupMention) TableName() string { return "group_mentions" }
