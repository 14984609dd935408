package groups

import (
	"context"
	"errors"
	"fmt"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// NewGroup describes a group to create. An empty PostingPolicy means followers. CreatedBy is the
// staff account acting, recorded in the moderation log; empty when Kring itself acts (the command
// line).
type NewGroup struct {
	OrganisationSlug string
	Slug             string
	Name             string
	Summary          string
	Rules            string
	PostingPolicy    model.PostingPolicy
	ApproveFollowers bool
	CreatedBy        string
}

// CreateGroup creates a group, discoverable, with its RSA-2048 signing key and a group.create entry
// in the moderation log, all in one transaction: a group never exists without its key.
func (s *Service) CreateGroup(ctx context.Context, in NewGroup) (model.Group, error) {
	if err := textinput.Slug("slug", in.Slug); err != nil {
		return model.Group{}, err
	}
	name, err := textinput.Name("name", in.Name, true)
	if err != nil {
		return model.Group{}, err
	}
	summary, err := textinput.Text("summary", in.Summary, maxSummaryLength)
	if err != nil {
		return model.Group{}, err
	}
	rules, err := textinput.Text("rules", in.Rules, maxRulesLength)
	if err != nil {
		return model.Group{}, err
	}
	policy, err := postingPolicyOrDefault(in.PostingPolicy)
	if err != nil {
		return model.Group{}, err
	}
	org, err := s.organisationBySlug(ctx, in.OrganisationSlug)
	if err != nil {
		return model.Group{}, err
	}
	// Generating the key takes a noticeable fraction of a second; doing it before the transaction
	// keeps SQLite's single write lock free meanwhile.
	publicPEM, privatePEM, err := s.generateKey()
	if err != nil {
		return model.Group{}, err
	}
	var group model.Group
	err = s.store.Transaction(ctx, func(tx *store.Store) error {
		group, err = tx.CreateGroup(ctx, model.Group{
			OrganisationID: org.ID, Slug: in.Slug, Name: name, Summary: summary, Rules: rules,
			PostingPolicy: policy, ApproveFollowers: in.ApproveFollowers, Discoverable: true, WelcomeEnabled: true,
		})
		if errors.Is(err, store.ErrDuplicate) {
			return apperror.Conflict("slug", "a group with slug %q already exists on this instance", in.Slug)
		}
		if err != nil {
			return err
		}
		if _, err := tx.CreateSigningKey(ctx, model.SigningKey{OwnerKind: model.OwnerGroup, GroupID: &group.ID,
			KeySuffix: model.MainKeySuffix, PublicPEM: publicPEM, PrivatePEM: privatePEM}); err != nil {
			return err
		}
		return recordGroupCreated(ctx, tx, group, in.CreatedBy)
	})
	if err != nil {
		return model.Group{}, err
	}
	return group, s.syncRulesPost(ctx, group, in.CreatedBy)
}

func recordGroupCreated(ctx context.Context, tx *store.Store, group model.Group, staffID string) error {
	return recordGroupAction(ctx, tx, group, staffID, store.LogEntry{Action: model.ActionGroupCreate, Metadata: map[string]any{
		"slug": group.Slug, "name": group.Name, "posting_policy": group.PostingPolicy,
		"approve_followers": group.ApproveFollowers,
	}})
}

// recordGroupAction writes entry about group to the moderation log, in the group and its
// organisation, its target the group unless it names another; staffID is empty when Kring itself
// acted.
func recordGroupAction(ctx context.Context, tx *store.Store, group model.Group, staffID string, entry store.LogEntry) error {
	entry.OrganisationID, entry.GroupID = &group.OrganisationID, &group.ID
	if entry.TargetKind == "" {
		entry.TargetKind, entry.TargetID = model.TargetGroup, group.ID
	}
	if staffID != "" {
		entry.StaffAccountID = &staffID
	}
	_, err := tx.RecordModerationAction(ctx, entry)
	return err
}

// ListGroups returns the groups of the organisation with slug orgSlug, or every group when orgSlug
// is empty, ordered by organisation slug, then group slug.
func (s *Service) ListGroups(ctx context.Context, orgSlug string) ([]Summary, error) {
	organisationID := ""
	if orgSlug != "" {
		org, err := s.organisationBySlug(ctx, orgSlug)
		if err != nil {
			return nil, err
		}
		organisationID = org.ID
	}
	rows, err := s.store.ListGroups(ctx, organisationID)
	if err != nil {
		return nil, err
	}
	out := make([]Summary, len(rows))
	for i, row := range rows {
		out[i] = Summary{Group: row.Group, OrganisationSlug: row.OrganisationSlug}
	}
	return out, nil
}

// GroupBySlug finds a group with its organisation and active public key; NotFound when there is none.
func (s *Service) GroupBySlug(ctx context.Context, slug string) (Details, error) {
	row, err := s.store.GroupBySlug(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return Details{}, &apperror.Error{Kind: apperror.KindNotFound, Field: "group",
			Message: fmt.Sprintf("no group with slug %q", slug), Cause: err}
	}
	if err != nil {
		return Details{}, err
	}
	key, err := s.store.ActiveGroupKey(ctx, row.ID)
	if err != nil {
		return Details{}, fmt.Errorf("group %q: %w", slug, err)
	}
	return Details{
		Summary:      Summary{Group: row.Group, OrganisationSlug: row.OrganisationSlug},
		PublicKeyPEM: key.PublicPEM,
		KeySuffix:    key.KeySuffix,
	}, nil
}

func (s *Service) organisationBySlug(ctx context.Context, slug string) (model.Organisation, error) {
	if slug == "" {
		return model.Organisation{}, apperror.Invalid("organisation", "must be given: the slug of the organisation the group belongs to")
	}
	org, err := s.store.OrganisationBySlug(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return model.Organisation{}, &apperror.Error{Kind: apperror.KindNotFound, Field: "organisation",
			Message: fmt.Sprintf("no organisation with slug %q", slug), Cause: err}
	}
	if err != nil {
		return model.Organisation{}, err
	}
	return org, nil
}
