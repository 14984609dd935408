// Package model holds the gorm structs that mirror Kring's tables. Structs carry data only; the rules
// live in the services and the queries in app/store.
package model

import "github.com/google/uuid"

// NewID returns a new primary key: a UUIDv7 in its text form. Ids are made by the application, not the
// database, so one schema works on PostgreSQL and SQLite, and time-ordered, so ordering by id is
// ordering by creation and index inserts stay local.
func NewID() string {
	return uuid.Must(uuid.NewV7()).String()
}
