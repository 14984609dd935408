package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/kring-social/kring/app/model"
)

// countMentions is group_daily_stats' column of the mentions kept (migration 23).
const countMentions groupCounter = "mentions"

// MentionBounds bound what strangers can make Kring keep of their mentions of one group: at most
// PerAuthor from one author and PerHost from one host since Since.
type MentionBounds struct {
	PerAuthor, PerHost int
	Since              time.Time
	// Counted are the author's and her host's mentions of the group, counted in the caller's
	// transaction after it took the PostingRateLocks (PostStandingCounting reads them with the
	// standing, a round trip saved); nil has RecordGroupMention count them itself.
	Counted *MentionCounts
}

// MentionCounts are an author's and her host's mentions of one group kept since a time, each
// counted only up to its bound.
type MentionCounts struct{ ByAuthor, ByHost int64 }

// mentionCountColumns count an author's and her host's mentions of a group since a time, each
// reading its own index's range of the window and no further than its bound (mentionCountArgs).
const mentionCountColumns = `(SELECT COUNT(*) FROM (SELECT 1 FROM group_mentions WHERE group_id = ? AND remote_actor_id = ? AND received_at >= ? LIMIT ?) AS of_author) AS mentions_by_author,
		(SELECT COUNT(*) FROM (SELECT 1 FROM group_mentions WHERE group_id = ? AND author_host = ? AND received_at >= ? LIMIT ?) AS of_host) AS mentions_by_host`

// mentionCountArgs are mentionCountColumns' arguments.
func mentionCountArgs(groupID, actorID, host string, bounds MentionBounds) []any {
	since := dbTime(bounds.Since)
	return []any{groupID, actorID, since, bounds.PerAuthor, groupID, host, since, bounds.PerHost}
}

// mentionCountsRow is how mentionCountColumns are read.
type mentionCountsRow struct{ MentionsByAuthor, MentionsByHost int64 }

func (r mentionCountsRow) counts() *MentionCounts {
	return &MentionCounts{ByAuthor: r.MentionsByAuthor, ByHost: r.MentionsByHost}
}

// RecordGroupMention keeps a non-member's post that addressed the group and counts it in the
// group's figures of the day, unless the group has it already (a repeated delivery keeps and counts
// nothing) or the author or her host has reached its bounds. It reports whether it kept it. Call
// it inside a TransactionHolding the author's and her host's PostingRateLocks: the locks make the
// counts hold until the row is written, so concurrent deliveries never pass the bounds together.
func (s *Store) RecordGroupMention(ctx context.Context, mention model.GroupMention, bounds MentionBounds) (bool, error) {
	if !s.InTransaction() {
		return false, fmt.Errorf("record a mention of group %s: not inside a transaction", mention.GroupID)
	}
	counts := bounds.Counted
	if counts == nil {
		// Both counts in one round trip.
		var row mentionCountsRow
		err := scan(s.conn(ctx).Raw(`SELECT `+mentionCountColumns,
			mentionCountArgs(mention.GroupID, mention.RemoteActorID, mention.AuthorHost, bounds)...), &row)
		if err != nil {
			return false, fmt.Errorf("count mentions of group %s by %s: %w", mention.GroupID, mention.RemoteActorID, err)
		}
		counts = row.counts()
	}
	if counts.ByAuthor >= int64(bounds.PerAuthor) || counts.ByHost >= int64(bounds.PerHost) {
		return false, nil
	}
	mention.ID, mention.ReceivedAt, mention.PublishedAt = model.NewID(), dbTime(s.now()), dbTime(mention.PublishedAt)
	result := s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "group_id"}, {Name: "object_iri"}}, DoNothing: true}).
		Create(&mention)
	if result.Error != nil {
		return false, fmt.Errorf("keep mention %s of group %s: %w", mention.ObjectIRI, mention.GroupID, result.Error)
	}
	if result.RowsAffected == 0 {
		return false, nil
	}
	return true, s.countGroupEvent(ctx, countMentions, mention.GroupID)
}

// MentionWithAuthor is a kept mention and who wrote it.
type MentionWithAuthor struct {
	model.GroupMention
	Author model.RemoteActor `gorm:"-"`
}

// GroupMentionsBefore lists the group's mentions received before the one of id before (all when
// before is ""), newest first, at most limit, with their authors: two indexed reads.
func (s *Store) GroupMentionsBefore(ctx context.Context, groupID, before string, limit int) ([]MentionWithAuthor, error) {
	q := s.conn(ctx).Where("group_id = ?", groupID)
	if before != "" {
		cursor, err := s.GroupMention(ctx, groupID, before)
		if err != nil {
			return nil, err
		}
		q = q.Where("received_at < ? OR (received_at = ? AND id < ?)", cursor.ReceivedAt, cursor.ReceivedAt, cursor.ID)
	}
	var rows []model.GroupMention
	if err := q.Order("received_at DESC, id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list mentions of group %s: %w", groupID, err)
	}
	return s.withAuthors(ctx, rows)
}

// NewestMentionsOfOrganisation lists the newest mentions of any of the organisation's groups, at
// most limit, newest first, with their authors (a second read, by key). On PostgreSQL (checked on
// 300,000 mentions of 1,000 groups) the semi-join walks group_mentions_pruned (received_at)
// backwards, checking each mention's group by key, and stops at limit: 0.1 ms when the organisation
// has most of the mentions, 5 ms for one with 2% of them. It reads more only for an organisation
// whose groups were hardly mentioned in the retention period, the most the index holds.
func (s *Store) NewestMentionsOfOrganisation(ctx context.Context, organisationID string, limit int) ([]MentionWithAuthor, error) {
	var rows []model.GroupMention
	err := s.conn(ctx).Table("group_mentions AS d").Where(organisationGroups, organisationID).
		Order("d.received_at DESC, d.id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list the newest mentions of organisation %s: %w", organisationID, err)
	}
	return s.withAuthors(ctx, rows)
}

// withAuthors pairs mentions with their authors, read in one query.
func (s *Store) withAuthors(ctx context.Context, rows []model.GroupMention) ([]MentionWithAuthor, error) {
	ids := make([]string, 0, len(rows))
	for _, m := range rows {
		ids = append(ids, m.RemoteActorID)
	}
	authors, err := s.RemoteActorsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]MentionWithAuthor, len(rows))
	for i, m := range rows {
		out[i] = MentionWithAuthor{GroupMention: m, Author: authors[m.RemoteActorID]}
	}
	return out, nil
}

// GroupMention loads one of the group's mentions; ErrNotFound when the group has none of that id.
func (s *Store) GroupMention(ctx context.Context, groupID, id string) (model.GroupMention, error) {
	return s.groupMentionWhere(ctx, groupID, "id", id)
}

// groupMentionWhere loads the group's mention whose column (a constant: id or object_iri) is value.
func (s *Store) groupMentionWhere(ctx context.Context, groupID, column, value string) (model.GroupMention, error) {
	var m model.GroupMention
	if err := s.conn(ctx).Where("group_id = ? AND "+column+" = ?", groupID, value).Take(&m).Error; err != nil {
		return m, fmt.Errorf("find mention %s of group %s: %w", value, groupID, classify(err))
	}
	return m, nil
}

// PruneGroupMentions deletes the mentions received before before, in every group, and returns how
// many; the day's counts in group_daily_stats stay.
func (s *Store) PruneGroupMentions(ctx context.Context, before time.Time) (int64, error) {
	result := s.conn(ctx).Where("received_at < ?", dbTime(before)).Delete(&model.GroupMention{})
	if result.Error != nil {
		return 0, fmt.Errorf("prune mentions received before %s: %w", before.Format(time.RFC3339), result.Error)
	}
	return result.RowsAffected, nil
}

// AuthorOfGroupMention finds who wrote the post of objectIRI that Kring keeps as a mention of one
// of its groups; ErrNotFound when it keeps none.
func (s *Store) AuthorOfGroupMention(ctx context.Context, objectIRI string) (model.RemoteActor, error) {
	var author model.RemoteActor
	err := s.conn(ctx).Where("id IN (SELECT remote_actor_id FROM group_mentions WHERE object_iri = ?)", objectIRI).Take(&author).Error
	if err != nil {
		return author, fmt.Errorf("find the author of mention %s: %w", objectIRI, classify(err))
	}
	return author, nil
}

// GroupMentionOfObject loads the group's mention of the post of objectIRI; ErrNotFound when the
// group keeps none.
func (s *Store) GroupMentionOfObject(ctx context.Context, groupID, objectIRI string) (model.GroupMention, error) {
	return s.groupMentionWhere(ctx, groupID, "object_iri", objectIRI)
}

// ForgetGroupMentions deletes, in every group, the mentions kept of the post of objectIRI by its
// author, as her Delete of the post asks, and returns how many; the day's counts stay. It reads
// her mentions only (group_mentions_actor).
func (s *Store) ForgetGroupMentions(ctx context.Context, remoteActorID, objectIRI string) (int64, error) {
	result := s.conn(ctx).Where("remote_actor_id = ? AND object_iri = ?", remoteActorID, objectIRI).Delete(&model.GroupMention{})
	if result.Error != nil {
		return 0, fmt.Errorf("forget mentions %s by %s: %w", objectIRI, remoteActorID, result.Error)
	}
	return result.RowsAffected, nil
}

// MentionEdit is an author's edit of a post kept as a mention.
type MentionEdit struct {
	ContentHTML, Summary, URL string // sanitised and clipped by the caller
}

// EditGroupMentions gives the mentions kept of the post of objectIRI by its author, in every
// group, the words of her edit, and returns how many changed. It reads her mentions only.
func (s *Store) EditGroupMentions(ctx context.Context, remoteActorID, objectIRI string, edit MentionEdit) (int64, error) {
	result := s.conn(ctx).Model(&model.GroupMention{}).Where("remote_actor_id = ? AND object_iri = ?", remoteActorID, objectIRI).
		Updates(map[string]any{"content_html": edit.ContentHTML, "summary": edit.Summary, "url": edit.URL})
	if result.Error != nil {
		return 0, fmt.Errorf("edit mentions %s by %s: %w", objectIRI, remoteActorID, result.Error)
	}
	return result.RowsAffected, nil
}
