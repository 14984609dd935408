package model

import "time"

// SupportStatus is where a support conversation stands.
type SupportStatus string

const (
	// SupportNew: the member wrote and nobody on staff has answered or picked it up yet.
	SupportNew SupportStatus = "new"
	// SupportOpen: staff are on it, or the member wrote again after an answer.
	SupportOpen SupportStatus = "open"
	// SupportWaiting: staff answered; the next word is the member's.
	SupportWaiting SupportStatus = "waiting"
	// SupportClosed: done. A new message from the member opens it again.
	SupportClosed SupportStatus = "closed"
)

// SupportStatuses lists the statuses in the order a conversation usually passes through them.
func SupportStatuses() []SupportStatus {
	return []SupportStatus{SupportNew, SupportOpen, SupportWaiting, SupportClosed}
}

// SupportConversation is a member's questions or complaints to one group and the staff's answers.
type SupportConversation struct {
	ID              string `gorm:"primaryKey"`
	GroupID         string
	RemoteActorID   string
	Status          SupportStatus
	AssigneeStaffID *string
	Subject         string  // the start of her first message, as plain text, for lists
	ReportID        *string // the report the conversation was turned into
	LastMessageAt   time.Time
	ClosedAt        *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (SupportConversation) TableName() string { return "support_conversations" }

// SupportMessageKind says who wrote a message of a support conversation and who sees it.
type SupportMessageKind string

const (
	// SupportFromMember is the member's direct message to the group.
	SupportFromMember SupportMessageKind = "member"
	// SupportReply is staff answering as the group: sent to the member as a direct message.
	SupportReply SupportMessageKind = "reply"
	// SupportNote is an internal note: staff only, never federated.
	SupportNote SupportMessageKind = "note"
)

// SupportMessage is one message of a support conversation.
type SupportMessage struct {
	ID             string `gorm:"primaryKey"`
	ConversationID string
	GroupID        string
	Kind           SupportMessageKind
	ObjectIRI      *string `gorm:"column:object_iri"`   // her Note, or the group's reply Note; nil for notes
	ActivityIRI    *string `gorm:"column:activity_iri"` // the Create that carried it
	InReplyToIRI   string  `gorm:"column:in_reply_to_iri"`
	ContentHTML    string  `gorm:"column:content_html"` // sanitised (hers) or made from staff's text
	StaffAccountID *string // who wrote a reply or a note
	EditedAt       *time.Time
	WithdrawnAt    *time.Time // she deleted it: its content is gone
	CreatedAt      time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (SupportMessage) TableName() string { return "support_messages" }

// SavedReply is a text an organisation's staff answer a common question with.
type SavedReply struct {
	ID               string `gorm:"primaryKey"`
	OrganisationID   string
	Title            string
	Body             string
	CreatedByStaffID *string
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (SavedReply) TableName() string { return "saved_replies" }
