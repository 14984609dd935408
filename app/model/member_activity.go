package model

import "time"

// MemberActivity is one member's story with one group in figures: when she was first seen (her
// first follow, post, like or message) and last took part, and how much. The store keeps it current
// as events arrive; Activity (posts + replies + likes given) is computed by the database.
type MemberActivity struct {
	GroupID              string `gorm:"primaryKey"`
	ActorID              string `gorm:"primaryKey"`
	FirstSeenAt          time.Time
	LastActiveAt         *time.Time // nil: she never posted, replied, liked or wrote to staff
	Posts                int64
	Replies              int64
	LikesGiven           int64
	SupportConversations int64
	Activity             int64 `gorm:"->"` // generated: posts + replies + likes given
	WelcomedAt           *time.Time
	IntroducedAt         *time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (MemberActivity) TableName() string { return "member_activity" }
