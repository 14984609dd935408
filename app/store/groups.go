package store

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/kring-social/kring/app/model"
)

// GroupInOrganisation is a group together with the slug of its organisation.
type GroupInOrganisation struct {
	model.Group
	OrganisationSlug string
	OrganisationName string
}

// CreateGroup inserts group, giving it an id and timestamps. A taken slug is ErrDuplicate.
func (s *Store) CreateGroup(ctx context.Context, group model.Group) (model.Group, error) {
	now := s.now()
	group.ID = model.NewID()
	group.CreatedAt, group.UpdatedAt = now, now
	group.ArchivedAt = dbTimePtr(group.ArchivedAt)
	group.FederatedAt = dbTimePtr(group.FederatedAt)
	if err := s.conn(ctx).Create(&group).Error; err != nil {
		return model.Group{}, fmt.Errorf("create group %q: %w", group.Slug, classify(err))
	}
	return group, nil
}

// GroupBySlug loads a group, and its organisation's slug, by the group's slug.
func (s *Store) GroupBySlug(ctx context.Context, slug string) (GroupInOrganisation, error) {
	if !storableText(slug) {
		// No group has such a slug, and PostgreSQL would refuse the query with an error: a URL with
		// a NUL byte or invalid UTF-8 in it must be a 404, not a 500.
		return GroupInOrganisation{}, fmt.Errorf("find group %q: %w", slug, ErrNotFound)
	}
	var rows []GroupInOrganisation
	if err := scan(s.groupsWithOrganisation(ctx).Where("groups.slug = ?", slug).Limit(1), &rows); err != nil {
		return GroupInOrganisation{}, fmt.Errorf("find group %q: %w", slug, err)
	}
	if len(rows) == 0 {
		return GroupInOrganisation{}, fmt.Errorf("find group %q: %w", slug, ErrNotFound)
	}
	return rows[0], nil
}

// ListGroups returns the groups of one organisation, or of all when organisationID is empty,
// ordered by organisation slug, then group slug.
func (s *Store) ListGroups(ctx context.Context, organisationID string) ([]GroupInOrganisation, error) {
	query := s.groupsWithOrganisation(ctx)
	if organisationID != "" {
		query = query.Where("groups.organisation_id = ?", organisationID)
	}
	var rows []GroupInOrganisation
	if err := scan(query.Order("organisations.slug, groups.slug"), &rows); err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	return rows, nil
}

func (s *Store) groupsWithOrganisation(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("groups").
		Select("groups.*, organisations.slug AS organisation_slug, organisations.name AS organisation_name").
		Joins("JOIN organisations ON organisations.id = groups.organisation_id")
}

// GroupByID loads a group by id.
func (s *Store) GroupByID(ctx context.Context, id string) (model.Group, error) {
	var group model.Group
	if err := s.conn(ctx).Where("id = ?", id).Take(&group).Error; err != nil {
		return model.Group{}, fmt.Errorf("find group %s: %w", id, classify(err))
	}
	return group, nil
}

// storableText reports whether text can be compared with a text column at all: PostgreSQL refuses
// NUL bytes and invalid UTF-8 in text values.
func storableText(text string) bool {
	return utf8.ValidString(text) && !strings.ContainsRune(text, 0)
}
