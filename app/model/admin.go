package model

import "time"

// AdminSession is a staff member's login to the web admin. ID is the SHA-256 of the cookie's token.
type AdminSession struct {
	ID             string `gorm:"primaryKey"`
	StaffAccountID string
	CSRFToken      string `gorm:"column:csrf_token"`
	IP             string `gorm:"column:ip"`
	UserAgent      string
	CreatedAt      time.Time
	LastSeenAt     time.Time
	ExpiresAt      time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (AdminSession) TableName() string { return "admin_sessions" }

// LoginFailure is one password check the throttle counts: recorded before the password is hashed,
// deleted when the password was right, so what stays are failures (and checks in flight). Purpose
// says which form it came from: the login form or the password page's current password.
type LoginFailure struct {
	ID        string `gorm:"primaryKey"`
	Email     string
	IP        string `gorm:"column:ip"`
	Purpose   string
	CreatedAt time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (LoginFailure) TableName() string { return "login_failures" }

// ReportStatus is where a report stands.
type ReportStatus string

const (
	ReportOpen      ReportStatus = "open"
	ReportResolved  ReportStatus = "resolved"
	ReportDismissed ReportStatus = "dismissed"
)

// ReportSource says who filed a report.
type ReportSource string

const (
	ReportFromRemote ReportSource = "remote" // a Flag another server sent
	ReportFromStaff  ReportSource = "staff"
)

// Report is a complaint about a remote account and some of its posts.
type Report struct {
	ID              string `gorm:"primaryKey"`
	OrganisationID  string
	GroupID         *string
	Source          ReportSource
	FlagActivityIRI *string `gorm:"column:flag_activity_iri"`
	ReporterActorID *string
	ReporterStaffID *string
	TargetActorID   *string
	TargetPostIRIs  string `gorm:"column:target_post_iris"` // JSON array of object ids
	Content         string
	Status          ReportStatus
	AssigneeStaffID *string
	ForwardedAt     *time.Time
	ResolvedAt      *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (Report) TableName() string { return "reports" }

// ReportNote is a staff member's note on a report.
type ReportNote struct {
	ID             string `gorm:"primaryKey"`
	ReportID       string
	StaffAccountID *string
	Body           string
	CreatedAt      time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (ReportNote) TableName() string { return "report_notes" }

// FilterAction is what a keyword filter does to a matching post.
type FilterAction string

const (
	FilterHold   FilterAction = "hold"   // into the pre-moderation queue
	FilterReject FilterAction = "reject" // refused, not stored
)

// KeywordFilter holds or rejects a group's posts that contain a keyword.
type KeywordFilter struct {
	ID               string `gorm:"primaryKey"`
	GroupID          string
	Keyword          string
	WholeWord        bool
	Action           FilterAction
	CreatedByStaffID *string
	CreatedAt        time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (KeywordFilter) TableName() string { return "keyword_filters" }
