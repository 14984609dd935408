package model

import "time"

// Organisation is one community or company running groups on this Kring instance.
type Organisation struct {
	ID   string `gorm:"primaryKey"`
	Slug string // unique; lowercase letters, digits, underscore
	Name string
	// RequireReview: a post drafted in the organisation goes out only once a second staff member
	// with publishing rights approved it.
	RequireReview bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (Organisation) TableName() string { return "organisations" }
