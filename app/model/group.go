package model

import "time"

// PostingPolicy says whose posts a group accepts and announces.
type PostingPolicy string

const (
	// PostingFollowers accepts posts from the group's accepted followers (the default).
	PostingFollowers PostingPolicy = "followers"
	// PostingAnyone accepts posts from anyone not blocked or banned.
	PostingAnyone PostingPolicy = "anyone"
	// PostingModerators accepts only the group's own posts, written by staff: announcement groups.
	PostingModerators PostingPolicy = "moderators"
	// PostingPremoderated holds every post until a moderator approves or declines it.
	PostingPremoderated PostingPolicy = "premoderated"
)

// PostingPolicies lists every posting policy, the default first.
func PostingPolicies() []PostingPolicy {
	return []PostingPolicy{PostingFollowers, PostingAnyone, PostingModerators, PostingPremoderated}
}

// Group is a local ActivityPub Group actor, reachable as acct:Slug@domain.
type Group struct {
	ID             string `gorm:"primaryKey"`
	OrganisationID string
	Slug           string // unique instance-wide; immutable once FederatedAt is set
	Name           string
	Summary        string
	Rules          string
	RulesPostID    *string // the group's pinned post that shows the rules; nil when there is none
	// IntroductionsPostID is the group's pinned post inviting members to introduce themselves by
	// replying to it; nil when the group has no introductions thread.
	IntroductionsPostID *string
	// IntroductionsPrompt is the prompt as staff wrote it, before {group} became the group's name.
	IntroductionsPrompt string
	AvatarPath          string // relative to the data directory's media; empty when none
	HeaderPath          string
	PostingPolicy       PostingPolicy
	ApproveFollowers    bool // ActivityPub manuallyApprovesFollowers
	Discoverable        bool
	// WelcomeEnabled sends each new member WelcomeText (Kring's default text when empty) as a
	// direct message from the group, once.
	WelcomeEnabled bool
	WelcomeText    string
	ArchivedAt     *time.Time
	FederatedAt    *time.Time // first time a remote server saw the group
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (Group) TableName() string { return "groups" }
