package model

import "time"

// AuthorKind says who wrote a group post.
type AuthorKind string

const (
	// AuthorRemote is a remote actor posting into the group; Post.AuthorActorID names it.
	AuthorRemote AuthorKind = "remote"
	// AuthorGroup is the group itself, written by a staff member (Post.CreatedByStaffID).
	AuthorGroup AuthorKind = "group"
)

// Visibility is the audience an object was addressed to.
type Visibility string

const (
	VisibilityPublic    Visibility = "public"
	VisibilityUnlisted  Visibility = "unlisted"
	VisibilityFollowers Visibility = "followers"
	VisibilityDirect    Visibility = "direct"
)

// PostState is where a post stands in the group.
type PostState string

const (
	// PostVisible is shown and, when public or unlisted, announced.
	PostVisible PostState = "visible"
	// PostHeld waits in the pre-moderation queue.
	PostHeld PostState = "held"
	// PostRemoved was taken down by a moderator (RemovedReason says why).
	PostRemoved PostState = "removed"
	// PostDeclined was refused from the pre-moderation queue.
	PostDeclined PostState = "declined"
)

// Reach says who is shown a post.
type Reach string

const (
	// ReachFollowers posts are announced to every follower: they appear in members' home timelines.
	ReachFollowers Reach = "followers"
	// ReachThread posts are replies: kept in the group's thread and forwarded only to servers that
	// understand groups (FEP-1b12), so microblogging timelines are not flooded with every reply.
	ReachThread Reach = "thread"
)

// Post is an object in a group's conversations.
type Post struct {
	ID                  string `gorm:"primaryKey"`
	GroupID             string
	ObjectIRI           string `gorm:"column:object_iri"`
	AuthorKind          AuthorKind
	AuthorActorID       *string
	AuthorHost          string // the author's host, for remote posts: the posting rate per host counts by it
	CreatedByStaffID    *string
	ObjectType          string // Note, Article, Page, Question, Event
	ContentHTML         string `gorm:"column:content_html"` // sanitised before it is stored
	Summary             string
	Language            string // ISO 639-1 code of the text; '' when not said
	SourceText          string // the group's own post as staff wrote it, to edit again; '' for others
	URL                 string `gorm:"column:url"`
	InReplyToIRI        string `gorm:"column:in_reply_to_iri"`
	ContextIRI          string `gorm:"column:context_iri"`
	ThreadRootIRI       string `gorm:"column:thread_root_iri"`
	Visibility          Visibility
	State               PostState
	PublishedAt         time.Time
	EditedAt            *time.Time
	CreateActivityIRI   string `gorm:"column:create_activity_iri"` // the Create that brought it
	ActivityJSON        string `gorm:"column:activity_json"`       // that Create as its author signed it
	Reach               Reach
	AnnounceActivityIRI *string `gorm:"column:announce_activity_iri"` // Announce{object}; nil until announced
	ActivityAnnounceIRI *string `gorm:"column:activity_announce_iri"` // FEP-1b12 Announce{Create}
	LikeCount           int
	PinnedAt            *time.Time // shown in the group's featured collection
	HighlightedAt       *time.Time // a reply a moderator announced to every member (introductions)
	// PublicationID joins the posts staff wrote once and published in several groups at once.
	PublicationID *string
	CampaignID    *string // the organisation's campaign it belongs to
	RemovedReason string
	RemovedAt     *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (Post) TableName() string { return "posts" }

// PostLike is a remote actor's Like of a group post.
type PostLike struct {
	ID            string `gorm:"primaryKey"`
	PostID        string
	RemoteActorID string
	ActivityIRI   string `gorm:"column:activity_iri"`
	CreatedAt     time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (PostLike) TableName() string { return "post_likes" }
