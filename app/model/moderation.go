package model

import "time"

// Severity is how hard a domain block bites.
type Severity string

const (
	// SeveritySuspend refuses everything from the domain and stops delivering to it.
	SeveritySuspend Severity = "suspend"
	// SeveritySilence accepts follows but never announces the domain's posts.
	SeveritySilence Severity = "silence"
)

// AnySuspension reports whether any of blocks suspends its domain.
func AnySuspension(blocks []DomainBlock) bool {
	for _, b := range blocks {
		if b.Severity == SeveritySuspend {
			return true
		}
	}
	return false
}

// DomainBlock blocks a remote domain for one organisation, or instance-wide when OrganisationID is nil.
type DomainBlock struct {
	ID               string `gorm:"primaryKey"`
	OrganisationID   *string
	Domain           string
	Severity         Severity
	Reason           string // for staff only
	PublicComment    string // may be shown publicly
	CreatedByStaffID *string
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (DomainBlock) TableName() string { return "domain_blocks" }

// GroupBan keeps a remote actor out of one group.
type GroupBan struct {
	ID               string `gorm:"primaryKey"`
	GroupID          string
	RemoteActorID    string
	Reason           string
	BlockActivityIRI string `gorm:"column:block_activity_iri"` // the Block federated, undone on unban
	CreatedByStaffID *string
	ExpiresAt        *time.Time // nil: until lifted
	CreatedAt        time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (GroupBan) TableName() string { return "group_bans" }

// Target kinds of moderation log entries.
const (
	TargetGroup        = "group"
	TargetPost         = "post"
	TargetEvent        = "event"
	TargetRemoteActor  = "remote_actor"
	TargetDomain       = "domain"
	TargetStaff        = "staff_account"
	TargetOrganisation = "organisation"
)

// ModerationAction is one entry of the append-only moderation log.
type ModerationAction struct {
	ID             string  `gorm:"primaryKey"`
	OrganisationID *string // nil for instance-wide actions
	GroupID        *string
	StaffAccountID *string // nil when Kring itself acted
	Action         LogAction
	TargetKind     string
	TargetID       string
	Reason         string
	Metadata       string // a JSON object; "{}" when there is nothing more to say
	CreatedAt      time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (ModerationAction) TableName() string { return "moderation_actions" }
