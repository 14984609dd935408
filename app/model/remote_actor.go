package model

import (
	"strings"
	"time"
)

// RemoteActor is the cached document of an actor on another server and the key that verifies its
// signatures.
type RemoteActor struct {
	ID                string `gorm:"primaryKey"`
	IRI               string `gorm:"column:iri"`
	Host              string
	ActorType         string // Person, Service, Application, Group ...
	PreferredUsername string
	DisplayName       string
	Summary           string
	InboxURL          string `gorm:"column:inbox_url"`
	SharedInboxURL    string `gorm:"column:shared_inbox_url"` // empty when the server has none
	OutboxURL         string `gorm:"column:outbox_url"`
	FollowersURL      string `gorm:"column:followers_url"`
	URL               string `gorm:"column:url"`
	IconURL           string `gorm:"column:icon_url"`
	PublicKeyID       string `gorm:"column:public_key_id"`
	PublicKeyPEM      string `gorm:"column:public_key_pem"`
	// RawDocument is the JSON fetched, as received (4 KiB and more for a Mastodon account), kept
	// for operators. Kring never reads it back, so its reads of actors leave it out (the store's,
	// and gorm's permission ->:false keeps it empty in any other read).
	RawDocument string `gorm:"->:false;<-"`
	FetchedAt   time.Time
	GoneAt      *time.Time // deleted on its server, or answered 410
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (RemoteActor) TableName() string { return "remote_actors" }

// Handle is the actor's fediverse handle, @name@host.
func (a RemoteActor) Handle() string { return "@" + a.PreferredUsername + "@" + a.Host }

// Name is what people call the actor: its display name, else its handle's user part.
func (a RemoteActor) Name() string {
	if name := strings.TrimSpace(a.DisplayName); name != "" {
		return name
	}
	return a.PreferredUsername
}

// ProfileURL is the actor's page for people (its url), else its id.
func (a RemoteActor) ProfileURL() string {
	if a.URL != "" {
		return a.URL
	}
	return a.IRI
}
