package model

import "time"

// NotificationMode is how a staff member hears of what needs her by e-mail.
type NotificationMode string

const (
	// NotifyOff sends her no notification e-mail.
	NotifyOff NotificationMode = "off"
	// NotifyImmediately sends one e-mail per event, as it happens.
	NotifyImmediately NotificationMode = "immediately"
	// NotifyDigest gathers the day's events into one e-mail at 07:00 UTC.
	NotifyDigest NotificationMode = "digest"
)

// NotificationModes lists every mode, in the order a form offers them.
func NotificationModes() []NotificationMode {
	return []NotificationMode{NotifyOff, NotifyImmediately, NotifyDigest}
}

// StaffNotificationSetting is a staff member's choice of notifications. Without a row she is notified
// immediately when she has an e-mail address.
type StaffNotificationSetting struct {
	StaffAccountID string `gorm:"primaryKey"`
	Mode           NotificationMode
	// DigestDueAt is when her next digest task runs, while one is scheduled.
	DigestDueAt *time.Time
	UpdatedAt   time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (StaffNotificationSetting) TableName() string { return "staff_notification_settings" }

// StaffDigestItem is one event waiting for a staff member's next digest.
type StaffDigestItem struct {
	ID             string `gorm:"primaryKey"`
	StaffAccountID string
	Summary        string
	Link           string
	CreatedAt      time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (StaffDigestItem) TableName() string { return "staff_digest_items" }

// OutgoingEmail is a message waiting to be sent; its row goes once it is sent (or given up).
type OutgoingEmail struct {
	ID        string `gorm:"primaryKey"`
	ToAddress string
	Subject   string
	Body      string
	CreatedAt time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (OutgoingEmail) TableName() string { return "outgoing_emails" }

// PasswordResetToken is a single-use password reset link; only the SHA-256 of its token is kept.
type PasswordResetToken struct {
	ID             string `gorm:"primaryKey"`
	TokenHash      string
	StaffAccountID string
	ExpiresAt      time.Time
	UsedAt         *time.Time
	CreatedAt      time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (PasswordResetToken) TableName() string { return "password_reset_tokens" }
