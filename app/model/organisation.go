package model

import "time"

// Organisation is one community or company running groups on this Kring instance.
type Organisation struct {
	ID        string `gorm:"primaryKey"`
	Slug      string // unique; lowercase letters, digits, underscore
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (Organisation) TableName() string { return "organisations" }
