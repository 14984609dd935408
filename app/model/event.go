package model

import "time"

// EventStatus is where an event stands; iCalendar and Mobilizon call them CONFIRMED and CANCELLED.
type EventStatus string

const (
	EventConfirmed EventStatus = "confirmed"
	EventCancelled EventStatus = "cancelled"
)

// JoinMode says whether anyone may join an event or a moderator approves each participant.
type JoinMode string

const (
	JoinOpen     JoinMode = "open"
	JoinApproval JoinMode = "approval"
)

// Event is a gathering a group publishes, federated as an ActivityStreams Event by the group.
type Event struct {
	ID           string `gorm:"primaryKey"`
	GroupID      string
	ObjectIRI    string `gorm:"column:object_iri"`
	Title        string
	Description  string // plain text; paragraphs separated by blank lines
	StartsAt     time.Time
	EndsAt       *time.Time
	TimeZone     string // IANA, such as Europe/Amsterdam: times are shown and exported in it
	PlaceName    string
	PlaceAddress string
	OnlineURL    string `gorm:"column:online_url"`
	Capacity     int    // 0: no limit
	JoinMode     JoinMode
	ImagePath    string // relative to the media directory; empty when none
	ImageAlt     string
	Status       EventStatus
	// Sequence is the iCalendar SEQUENCE: it rises with every change participants should see.
	Sequence          int
	PollObjectIRI     *string `gorm:"column:poll_object_iri"` // the group's Question for RSVPs from any app
	CreateActivityIRI string  `gorm:"column:create_activity_iri"`
	CreatedByStaffID  *string
	CampaignID        *string // the organisation's campaign it belongs to
	PublishedAt       time.Time
	CancelledAt       *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (Event) TableName() string { return "events" }

// ParticipantState is where one participant of an event stands.
type ParticipantState string

const (
	// ParticipantPending: asked to join an event that needs approval; a moderator decides.
	ParticipantPending ParticipantState = "pending"
	// ParticipantGoing holds a place.
	ParticipantGoing ParticipantState = "going"
	// ParticipantMaybe answered the poll with Maybe: no place is held.
	ParticipantMaybe ParticipantState = "maybe"
	// ParticipantDeclined can't come (poll), or left.
	ParticipantDeclined ParticipantState = "declined"
	// ParticipantWaiting is on the waiting list of a full event, in order of asking.
	ParticipantWaiting ParticipantState = "waiting"
	// ParticipantRejected was refused by a moderator, or removed.
	ParticipantRejected ParticipantState = "rejected"
)

// ParticipationVia says how a participant answered: a Join (event-aware servers) or a poll vote.
type ParticipationVia string

const (
	ViaJoin ParticipationVia = "join"
	ViaPoll ParticipationVia = "poll"
)

// EventParticipant is one remote actor's answer to an event.
type EventParticipant struct {
	ID              string `gorm:"primaryKey"`
	EventID         string
	RemoteActorID   string
	State           ParticipantState
	Via             ParticipationVia
	JoinActivityIRI string `gorm:"column:join_activity_iri"` // the Join, echoed in Accept or Reject
	VoteObjectIRI   string `gorm:"column:vote_object_iri"`   // the Note of her latest vote
	Message         string // what she wrote with her Join
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (EventParticipant) TableName() string { return "event_participants" }

// EventReminder is one reminder of an event to its participants, lead_minutes before it starts.
type EventReminder struct {
	ID          string `gorm:"primaryKey"`
	EventID     string
	LeadMinutes int
	DueAt       time.Time
	SentAt      *time.Time
	CreatedAt   time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (EventReminder) TableName() string { return "event_reminders" }

// DefaultReminderLeads are the reminders an event gets unless staff choose others: a day and an hour
// before it starts.
var DefaultReminderLeads = []time.Duration{24 * time.Hour, time.Hour}
