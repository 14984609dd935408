package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/kring-social/kring/app/model"
)

// AuthorStanding is where a remote actor stands with a group, its organisation and the instance
// when she posts, follows, likes, joins an event or writes to the group's staff.
type AuthorStanding struct {
	Banned    bool // a ban from the group in force
	Member    bool // her follow of the group is accepted
	Suspended bool // her domain, or a parent domain, is suspended instance-wide or by the group's organisation
	Silenced  bool // the same, silenced
}

// standingColumns read an AuthorStanding; standingArgs are their arguments. Every inbound activity
// asks all of it before it changes anything, so it is one round trip however many parts it has.
const standingColumns = `(SELECT COUNT(*) FROM group_bans WHERE ` + banInForce + `) AS bans,
	(SELECT COUNT(*) FROM follows WHERE group_id = ? AND remote_actor_id = ? AND state = ?) AS follows,
	(SELECT COUNT(*) FROM domain_blocks WHERE domain IN ? AND severity = ? AND ` + blockOfOrganisation + `) AS suspensions,
	(SELECT COUNT(*) FROM domain_blocks WHERE domain IN ? AND severity = ? AND ` + blockOfOrganisation + `) AS silences`

// blockOfOrganisation is the condition "an instance-wide block, or one of the organisation (?)";
// with no organisation ("") only instance-wide blocks match, as no block has an empty one.
const blockOfOrganisation = `(organisation_id IS NULL OR organisation_id = ?)`

func (s *Store) standingArgs(group model.Group, actor model.RemoteActor) []any {
	domains := slices.Collect(model.DomainAndParents(actor.Host))
	return []any{group.ID, actor.ID, s.now(), group.ID, actor.ID, model.FollowAccepted,
		domains, model.SeveritySuspend, group.OrganisationID, domains, model.SeveritySilence, group.OrganisationID}
}

// standingRow is what standingColumns read. The reads that add columns of their own hold it in a
// named field tagged embedded: gorm leaves an anonymous field of an unexported type empty.
type standingRow struct{ Bans, Follows, Suspensions, Silences int64 }

func (r standingRow) standing() AuthorStanding {
	return AuthorStanding{Banned: r.Bans > 0, Member: r.Follows > 0, Suspended: r.Suspensions > 0, Silenced: r.Silences > 0}
}

// AuthorStandingIn reads, in one round trip, whether a remote actor is banned from a group (a ban
// past its expiry no longer counts), whether she is its member, and whether her domain is suspended
// or silenced for the group. actor.Host must be normalised (lowercase, no trailing dot).
func (s *Store) AuthorStandingIn(ctx context.Context, group model.Group, actor model.RemoteActor) (AuthorStanding, error) {
	var row standingRow
	if err := scan(s.conn(ctx).Raw(`SELECT `+standingColumns, s.standingArgs(group, actor)...), &row); err != nil {
		return AuthorStanding{}, fmt.Errorf("read standing of %s in group %s: %w", actor.ID, group.ID, err)
	}
	return row.standing(), nil
}

// PostStanding is what a post submitted to a group is checked against first.
type PostStanding struct {
	AuthorStanding
	// KnownID and KnownReach are the group's post of the same object, which a redelivery finds;
	// KnownID is "" when the group has none.
	KnownID    string
	KnownReach model.Reach
	// Filtered says whether the group has keyword filters, which a new post is screened with.
	Filtered bool
	// Mentions are the author's and her host's mentions of the group kept lately, when the read
	// was asked for them (RecentPostsQuery.Mentions); else nil.
	Mentions *MentionCounts
}

// PostStandingOf reads, in one round trip, the author's standing with the group, the group's post
// of objectIRI, if it has one (by the unique index on group and object), and whether the group has
// keyword filters (most have none, and their post then costs no read of them).
func (s *Store) PostStandingOf(ctx context.Context, group model.Group, author model.RemoteActor, objectIRI string) (PostStanding, error) {
	standing, _, err := s.postStanding(ctx, group, author, objectIRI, nil)
	return standing, err
}

// RecentPostsQuery asks for an author's and her host's posts since a time, each counted up to its
// bound (recentPostsColumns).
type RecentPostsQuery struct {
	Since time.Time
	UpTo  PostingCounts
	// Mentions, when set, has the author's and her host's mentions of the group counted too, up
	// to its bounds (PostStanding.Mentions): a post from a non-member that names the group is kept
	// as a mention, whose bounds are then checked without a read of their own.
	Mentions *MentionBounds
}

// PostStandingCounting is PostStandingOf with, in the same statement, the author's and her host's
// recent posts counted up to their bounds: a submission's first read after it locked the posting
// rate.
func (s *Store) PostStandingCounting(ctx context.Context, group model.Group, author model.RemoteActor, objectIRI string,
	recent RecentPostsQuery) (PostStanding, PostingCounts, error) {
	return s.postStanding(ctx, group, author, objectIRI, &recent)
}

func (s *Store) postStanding(ctx context.Context, group model.Group, author model.RemoteActor, objectIRI string,
	recent *RecentPostsQuery) (PostStanding, PostingCounts, error) {
	var row struct {
		Standing   standingRow `gorm:"embedded"`
		KnownID    string
		KnownReach model.Reach
		Filtered   bool
		ByActor    int64
		ByHost     int64
		Mentions   mentionCountsRow `gorm:"embedded"`
	}
	args := append(s.standingArgs(group, author), group.ID)
	counts := ""
	if recent != nil {
		counts = ",\n\t\t" + recentPostsColumns
		args = append(args, author.ID, dbTime(recent.Since), recent.UpTo.ByActor, author.Host, dbTime(recent.Since), recent.UpTo.ByHost)
		if recent.Mentions != nil {
			counts += ",\n\t\t" + mentionCountColumns
			args = append(args, mentionCountArgs(group.ID, author.ID, author.Host, *recent.Mentions)...)
		}
	}
	args = append(args, group.ID, objectIRI) // the group's post of the object, in the FROM clause
	err := scan(s.conn(ctx).Raw(`SELECT `+standingColumns+`,
		COALESCE(known.id, '') AS known_id, COALESCE(known.reach, '') AS known_reach,
		EXISTS (SELECT 1 FROM keyword_filters WHERE group_id = ?) AS filtered`+counts+
		joinedOptionalRow(`SELECT id, reach FROM posts WHERE group_id = ? AND object_iri = ?`, "known"), args...), &row)
	if err != nil {
		return PostStanding{}, PostingCounts{}, fmt.Errorf("read standing of %s and post %s in group %s: %w", author.ID, objectIRI, group.ID, err)
	}
	standing := PostStanding{AuthorStanding: row.Standing.standing(), KnownID: row.KnownID, KnownReach: row.KnownReach, Filtered: row.Filtered}
	if recent != nil && recent.Mentions != nil {
		standing.Mentions = row.Mentions.counts()
	}
	return standing, PostingCounts{ByActor: row.ByActor, ByHost: row.ByHost}, nil
}

// SupportStanding is what a member's direct message to a group's support inbox is checked against.
type SupportStanding struct {
	AuthorStanding
	// KnownIn is the conversation that holds the message already (a redelivery), or "".
	KnownIn string
	// SentSince is how many messages she sent the inbox since the time asked, counted up to the
	// limit asked: past it, the number no longer matters.
	SentSince int64
	// LatestID and LatestStatus are her most recent conversation with the group that is not
	// closed, which a message that answers none of hers continues; LatestID is "" when she has none.
	LatestID     string
	LatestStatus model.SupportStatus
}

// SupportStandingOf reads, in one round trip, the author's standing with the group, whether the
// group's support inbox has the message objectIRI already, how many messages she sent the inbox
// since since (up to upTo), and which of her conversations a new message would continue. The
// caller's transaction holds its SupportInboxLock: the count holds until it commits.
func (s *Store) SupportStandingOf(ctx context.Context, group model.Group, author model.RemoteActor, objectIRI string, since time.Time, upTo int) (SupportStanding, error) {
	var row struct {
		Standing     standingRow `gorm:"embedded"`
		KnownIn      string
		SentSince    int64
		LatestID     string
		LatestStatus model.SupportStatus
	}
	args := append(s.standingArgs(group, author), group.ID, objectIRI)
	args = append(append(args, memberMessagesSinceArgs(group.ID, author.ID, since)...), upTo, group.ID, author.ID, model.SupportClosed)
	err := scan(s.conn(ctx).Raw(`SELECT `+standingColumns+`,
		COALESCE((SELECT conversation_id FROM support_messages WHERE group_id = ? AND object_iri = ?), '') AS known_in,
		(SELECT COUNT(*) FROM (SELECT 1 `+memberMessagesSince+` LIMIT ?) AS sent) AS sent_since,
		COALESCE(latest.id, '') AS latest_id, COALESCE(latest.status, '') AS latest_status`+
		joinedOptionalRow(`SELECT id, status FROM support_conversations `+latestOpenConversation, "latest"), args...), &row)
	if err != nil {
		return SupportStanding{}, fmt.Errorf("read standing of %s with the support inbox of group %s: %w", author.ID, group.ID, err)
	}
	return SupportStanding{AuthorStanding: row.Standing.standing(), KnownIn: row.KnownIn, SentSince: row.SentSince,
		LatestID: row.LatestID, LatestStatus: row.LatestStatus}, nil
}

// latestOpenConversation picks a member's (?) most recent conversation with a group (?) that is not
// closed (?), by the index on (group_id, remote_actor_id): her few conversations sorted in memory.
const latestOpenConversation = `WHERE group_id = ? AND remote_actor_id = ? AND status <> ?
	ORDER BY last_message_at DESC, id DESC LIMIT 1`

// joinedOptionalRow is the FROM clause of a standing: it gives the standing's scalar subqueries their
// one row, joined to the row subquery finds, if any, as alias, so that the standing reads several
// columns of that row (NULL where there is none) in one lookup instead of a subquery each. Its
// arguments come after those of the select list.
func joinedOptionalRow(subquery, alias string) string {
	return "\n\t\tFROM (SELECT 1 AS one) AS here LEFT JOIN (" + subquery + ") AS " + alias + " ON 1 = 1"
}
