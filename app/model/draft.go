package model

import "time"

// DraftState is where a post draft stands on its way out.
type DraftState string

const (
	// DraftWriting is being written: it goes nowhere until someone schedules or submits it.
	DraftWriting DraftState = "draft"
	// DraftInReview waits for a second staff member's approval (the organisation requires review).
	DraftInReview DraftState = "in_review"
	// DraftScheduled goes out at PublishAt, by a task recorded when it was scheduled.
	DraftScheduled DraftState = "scheduled"
	// DraftPublished went out: its groups' posts carry its id as their publication id.
	DraftPublished DraftState = "published"
)

// PostDraft is a post written once for one or more groups of an organisation, before it goes out.
type PostDraft struct {
	ID             string `gorm:"primaryKey"`
	OrganisationID string
	AuthorStaffID  *string
	CampaignID     *string
	// Content is the writer's form as JSON (text, content warning, language, images, pin).
	Content   string
	State     DraftState
	Revision  int // rises with every change of Content; an approval is of one revision
	PublishAt *time.Time
	TimeZone  string // the zone the writer chose the time in, to show it back the same way
	// PublishedAt is when it went out.
	PublishedAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (PostDraft) TableName() string { return "post_drafts" }

// PostDraftGroup names one group a draft goes out in.
type PostDraftGroup struct {
	DraftID string `gorm:"primaryKey"`
	GroupID string `gorm:"primaryKey"`
}

// TableName pins the table name so renaming the struct never renames the table.
func (PostDraftGroup) TableName() string { return "post_draft_groups" }

// ReviewKind is one entry of a draft's review log.
type ReviewKind string

const (
	ReviewComment        ReviewKind = "comment"
	ReviewApprove        ReviewKind = "approve"
	ReviewRequestChanges ReviewKind = "request_changes"
	ReviewSubmit         ReviewKind = "submit"
	ReviewSchedule       ReviewKind = "schedule"
	ReviewCancel         ReviewKind = "cancel"
	ReviewPublish        ReviewKind = "publish"
)

// PostDraftReview is one entry of a draft's conversation and log: who commented, approved, asked
// for changes, submitted, scheduled, cancelled or published it, and of which revision.
type PostDraftReview struct {
	ID             string `gorm:"primaryKey"`
	DraftID        string
	StaffAccountID *string
	Kind           ReviewKind
	Revision       int
	Body           string
	CreatedAt      time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (PostDraftReview) TableName() string { return "post_draft_reviews" }

// Campaign is an organisation's named set of posts and events across groups and dates, with the
// hashtag its posts carry.
type Campaign struct {
	ID               string `gorm:"primaryKey"`
	OrganisationID   string
	Name             string
	Hashtag          string // without the '#'
	Description      string
	StartsOn         *time.Time
	EndsOn           *time.Time
	CreatedByStaffID *string
	ArchivedAt       *time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (Campaign) TableName() string { return "campaigns" }
