// Package moderation holds the rules moderators act by on whole accounts and servers: domain blocks
// (suspend, silence, import and export of domain_blocks.csv) and members' bans, unbans and removals,
// each logged in the moderation log. Posts are moderated in conversations, reports in reports.
package moderation

import (
	"context"
	"errors"
	"maps"
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
	block, err := checkBlock(in)
	if err != nil {
		return model.DomainBlock{}, err
	}
	err = s.store.Transaction(ctx, func(tx *store.Store) error {
		if block.OrganisationID, err = organisationIDOf(ctx, tx, in.OrganisationSlug); err != nil {
			return err
		}
		created, err := tx.CreateDomainBlock(ctx, block)
		if errors.Is(err, store.ErrDuplicate) {
			return apperror.Conflict("domain", "%s is already blocked there", block.Domain)
		}
		if err != nil {
			return err
		}
		block = created
		_, err = tx.RecordModerationAction(ctx, blockLogEntry(block, model.ActionDomainBlock, block.CreatedByStaffID, nil))
		return err
	})
	if err != nil {
		return model.DomainBlock{}, err
	}
	return block, nil
}

// checkBlock turns what a moderator gave into the block to store (its organisation still to set).
func checkBlock(in NewDomainBlock) (model.DomainBlock, error) {
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
	return model.DomainBlock{Domain: domain, Severity: in.Severity, Reason: reason, PublicComment: comment,
		CreatedByStaffID: in.CreatedBy}, nil
}

// organisationIDOf resolves a block's scope: nil for the instance (an empty slug).
func organisationIDOf(ctx context.Context, tx *store.Store, organisationSlug string) (*string, error) {
	if organisationSlug == "" {
		return nil, nil
	}
	org, err := tx.OrganisationBySlug(ctx, organisationSlug)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apperror.NotFound("organisation: no organisation with slug %q", organisationSlug)
	}
	if err != nil {
		return nil, err
	}
	return &org.ID, nil
}

// blockLogEntry is the moderation log's record of an action on a block by a staff member (nil:
// Kring's command line), with the block's reason; extra goes into the metadata next to the severity.
func blockLogEntry(block model.DomainBlock, action model.LogAction, by *string, extra map[string]any) store.LogEntry {
	metadata := map[string]any{"severity": block.Severity}
	maps.Copy(metadata, extra)
	return store.LogEntry{OrganisationID: block.OrganisationID, StaffAccountID: by, Action: action,
		TargetKind: model.TargetDomain, TargetID: block.Domain, Reason: block.Reason, Metadata: metadata}
}

// NormaliseDomain turns what a moderator typed into the form blocks are matched in: lowercase ASCII
// (internationalised names in their xn-- form), no trailing dot, no scheme, path or port.
func NormaliseDomain(raw string) (string, error) {
	domain := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(raw)), ".")
	ascii, err := idna.Lookup.ToASCII(domain)
	if err != nil || !isHostName(ascii) {
		return "", apperror.Invalid("domain", "must be a domain name such as spam.example (got %q)", raw)
	}
	return ascii, nil
}

// isHostName reports whether d is a host name as DNS and certificates have them: at least two
// labels of 1 to 63 letters, digits and inner hyphens, 253 bytes in all. The IDNA lookup lets
// empty and overlong labels through.
func isHostName(d string) bool {
	labels := strings.Split(d, ".")
	if len(d) > 253 || len(labels) < 2 {
		return false
	}
	for _, label := range labels {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// DomainBlocks lists an organisation's blocks, or the instance-wide ones for an empty slug.
func (s *Service) DomainBlocks(ctx context.Context, organisationSlug string) ([]model.DomainBlock, error) {
	organisationID, err := organisationIDOf(ctx, s.store, organisationSlug)
	if err != nil {
		return nil, err
	}
	return s.store.ListDomainBlocks(ctx, deref(organisationID))
}

// deref is a nullable organisation id as the store's queries take it: "" for the instance.
func deref(id *string) string {
	if id == nil {
		return ""
	}
	return *id
}
