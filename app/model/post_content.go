package model

// PostMedia is one picture of a group's own post: a file Kring made in the media directory, shown
// in Position order with its alt text.
type PostMedia struct {
	PostID    string `gorm:"primaryKey"`
	Position  int    `gorm:"primaryKey"`
	Name      string // the file's name in the media directory, served at /media/<name>
	MediaType string
	Width     int
	Height    int
	Alt       string
}

// TableName pins the table name so renaming the struct never renames the table.
func (PostMedia) TableName() string { return "post_media" }

// PostHashtag is a hashtag a group's own post uses.
type PostHashtag struct {
	PostID string `gorm:"primaryKey"`
	Tag    string `gorm:"primaryKey"` // lower case: what a lookup by tag matches
	Name   string // as the writer wrote it, without the '#'
}

// TableName pins the table name so renaming the struct never renames the table.
func (PostHashtag) TableName() string { return "post_hashtags" }

// PostMention is an account a group's own post mentions.
type PostMention struct {
	PostID   string `gorm:"primaryKey"`
	ActorIRI string `gorm:"primaryKey;column:actor_iri"`
	Name     string // "@user@host", as Mastodon names a Mention
}

// TableName pins the table name so renaming the struct never renames the table.
func (PostMention) TableName() string { return "post_mentions" }

// PostParts are what a group's own post carries beside its text: pictures, hashtags and mentions.
type PostParts struct {
	Media    []PostMedia
	Hashtags []PostHashtag
	Mentions []PostMention
}
