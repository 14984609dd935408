package model

import "time"

// Role is what a staff account may do in one organisation.
type Role string

const (
	// RoleOwner may do everything in the organisation, including managing staff and ownership.
	RoleOwner Role = "owner"
	// RoleAdmin manages groups, settings and staff below owner.
	RoleAdmin Role = "admin"
	// RoleModerator moderates the groups they are assigned to (GroupModerator rows).
	RoleModerator Role = "moderator"
)

// Roles lists every role, most powerful first.
func Roles() []Role { return []Role{RoleOwner, RoleAdmin, RoleModerator} }

// StaffAccount is a person who logs in to the web admin. Members of groups are not staff: they use
// their own fediverse accounts.
type StaffAccount struct {
	ID                string `gorm:"primaryKey"`
	Email             string // stored lowercased; unique
	DisplayName       string
	PasswordHash      string // argon2id in PHC string form
	InstanceAdmin     bool   // may manage every organisation and instance-wide settings
	DisabledAt        *time.Time
	LastLoginAt       *time.Time
	PasswordChangedAt time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (StaffAccount) TableName() string { return "staff_accounts" }

// StaffRole gives a staff account a role in one organisation; an account has at most one per
// organisation.
type StaffRole struct {
	ID             string `gorm:"primaryKey"`
	StaffAccountID string
	OrganisationID string
	Role           Role
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (StaffRole) TableName() string { return "staff_roles" }

// GroupModerator assigns a staff account to moderate one group.
type GroupModerator struct {
	ID             string `gorm:"primaryKey"`
	GroupID        string
	StaffAccountID string
	CreatedAt      time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (GroupModerator) TableName() string { return "group_moderators" }
