package model

import "time"

// KeyOwnerKind says which kind of local actor a key or an outgoing activity belongs to.
type KeyOwnerKind string

const (
	// OwnerGroup is a group actor; the row's GroupID names it.
	OwnerGroup KeyOwnerKind = "group"
	// OwnerInstance is the instance actor, which signs server-level fetches; GroupID is nil.
	OwnerInstance KeyOwnerKind = "instance"
)

// MainKeySuffix is the fragment of a local actor's first key id: <actor IRI>#main-key, as Mastodon
// and most servers name theirs.
const MainKeySuffix = "main-key"

// SigningKey is an RSA key pair of a local actor. Exactly one key per owner is active (RetiredAt nil).
type SigningKey struct {
	ID         string `gorm:"primaryKey"`
	OwnerKind  KeyOwnerKind
	GroupID    *string
	KeySuffix  string // the key id is the owner's actor IRI + "#" + KeySuffix
	PublicPEM  string `gorm:"column:public_pem"`  // PKIX "PUBLIC KEY"
	PrivatePEM string `gorm:"column:private_pem"` // PKCS#8 "PRIVATE KEY"
	CreatedAt  time.Time
	RetiredAt  *time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (SigningKey) TableName() string { return "signing_keys" }
