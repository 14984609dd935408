package store

import (
	"context"
	"fmt"

	"github.com/kring-social/kring/app/model"
)

// ListedGroup is a group as its organisation's public page lists it, with its member count.
type ListedGroup struct {
	model.Group
	Members int64
}

// DiscoverableGroups lists an organisation's discoverable groups that are not archived, by name,
// each with its accepted followers counted in the same query.
func (s *Store) DiscoverableGroups(ctx context.Context, organisationID string) ([]ListedGroup, error) {
	var rows []ListedGroup
	err := scan(s.conn(ctx).Table("groups").
		Select("groups.*, (SELECT COUNT(*) FROM follows WHERE follows.group_id = groups.id AND follows.state = ?) AS members", model.FollowAccepted).
		Where("groups.organisation_id = ? AND groups.discoverable = ? AND groups.archived_at IS NULL", organisationID, true).
		Order("groups.name, groups.slug"), &rows)
	if err != nil {
		return nil, fmt.Errorf("list discoverable groups of organisation %s: %w", organisationID, err)
	}
	return rows, nil
}
