// Package moderation holds the rules moderators act by: domain blocks now; bans, removals, reports
// and the moderation log's entries as the admin grows.
package moderation

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"golang.org/x/net/idna"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// Service applies moderation decisions.
type Service struct{ store *store.Store }

// NewService returns a Service.
func NewService(st *store.Store) *Service { return &Service{store: st} }

// NewDomainBlock describes a block to add. OrganisationSlug empty means instance-wide.
type NewDomainBlock struct {
	OrganisationSlug string
	Domain           string
	Severity         model.Severity
	Reason           string
	PublicComment    string
	CreatedBy        *string // staff account; nil when Kring's command line acts
}

// BlockDomain blocks a domain (and its subdomains) for an organisation or the whole instance, and
// records it in the moderation log.
func (s *Service) BlockDomain(ctx context.Context, in NewDomainBlock) (model.DomainBlock, error) {
	domain, err := NormaliseDomain(in.Domain)
	if err != nil {
		return model.DomainBlock{}, err
	}
	if in.Severity == "" {
		in.Severity = model.SeveritySuspend
	}
	if in.Severity != model.SeveritySuspend && in.Severity != model.SeveritySilence {
		return model.DomainBlock{}, apperror.Invalid("severity", "must be suspend or silence (got %q)", string(in.Severity))
	}
	reason, err := textinput.Text("reason", in.Reason, 2000)
	if err != nil {
		return model.DomainBlock{}, err
	}
	comment, err := textinput.Text("public_comment", in.PublicComment, 2000)
	if err != nil {
		return model.DomainBlock{}, err
	}
	var block model.DomainBlock
	err = s.store.Transaction(ctx, func(tx *store.Store) error {
		var organisationID *string
		if in.OrganisationSlug != "" {
			org, err := tx.OrganisationBySlug(ctx, in.OrganisationSlug)
			if errors.Is(err, store.ErrNotFound) {
				return apperror.NotFound("organisation: no organisation with slug %q", in.OrganisationSlug)
			}
			if err != nil {
				return err
			}
			organisationID = &org.ID
		}
		block, err = tx.CreateDomainBlock(ctx, model.DomainBlock{OrganisationID: organisationID, Domain: domain,
			Severity: in.Severity, Reason: reason, PublicComment: comment, CreatedByStaffID: in.CreatedBy})
		if errors.Is(err, store.ErrDuplicate) {
			return apperror.Conflict("domain", "%s is already blocked there", domain)
		}
		if err != nil {
			return err
		}
		metadata, err := json.Marshal(map[string]string{"severity": string(in.Severity)})
		if err != nil {
			return err
		}
		_, err = tx.RecordModerationAction(ctx, model.ModerationAction{OrganisationID: organisationID,
			StaffAccountID: in.CreatedBy, Action: model.ActionDomainBlock, TargetKind: model.TargetDomain,
			TargetID: domain, Reason: reason, Metadata: string(metadata)})
		return err
	})
	return block, err
}

// NormaliseDomain turns what a moderator typed into the form blocks are matched in: lowercase ASCII
// (internationalised names in their xn-- form), no trailing dot, no scheme, path or port.
func NormaliseDomain(raw string) (string, error) {
	domain := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(raw)), ".")
	ascii, err := idna.Lookup.ToASCII(domain)
	if err != nil || ascii == "" || strings.ContainsAny(ascii, "/:@ ") || !strings.Contains(ascii, ".") {
		return "", apperror.Invalid("domain", "must be a domain name such as spam.example (got %q)", raw)
	}
	return ascii, nil
}

// DomainBlocks lists an organisation's blocks, or the instance-wide ones for an empty slug.
func (s *Service) DomainBlocks(ctx context.Context, organisationSlug string) ([]model.DomainBlock, error) {
	organisationID := ""
	if organisationSlug != "" {
		org, err := s.store.OrganisationBySlug(ctx, organisationSlug)
		if errors.Is(err, store.ErrNotFound) {
			return nil, apperror.NotFound("organisation: no organisation with slug %q", organisationSlug)
		}
		if err != nil {
			return nil, err
		}
		organisationID = org.ID
	}
	return s.store.ListDomainBlocks(ctx, organisationID)
}
