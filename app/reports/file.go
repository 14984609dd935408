package reports

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// StaffReport is a report a staff member files about an account or posts in one of their groups.
type StaffReport struct {
	Group      model.Group
	StaffID    string
	AccountIRI string   // the account reported; may be empty when posts are named
	PostIRIs   []string // posts of the group
	Note       string   // why
}

// File files a staff member's report. The account must be one Kring knows (it followed or posted
// somewhere here) and the posts must be the group's; with no account given, the report is about
// the author of the first post.
func (s *Service) File(ctx context.Context, in StaffReport) (model.Report, error) {
	var report model.Report
	err := s.store.Transaction(ctx, func(tx *store.Store) error {
		var err error
		report, err = s.FileIn(ctx, tx, in)
		return err
	})
	return report, err
}

// FileIn is File inside the caller's transaction tx: the report is filed if and only if tx commits
// (a support conversation turned into a report records the report's id in the same transaction).
func (s *Service) FileIn(ctx context.Context, tx *store.Store, in StaffReport) (model.Report, error) {
	note, err := textinput.Text("note", in.Note, maxReason)
	if err != nil {
		return model.Report{}, err
	}
	accountIRI := strings.TrimSpace(in.AccountIRI)
	posts := trimmedNonEmpty(in.PostIRIs)
	if accountIRI == "" && len(posts) == 0 {
		return model.Report{}, apperror.Invalid("account", "name the account reported or at least one of its posts")
	}
	if len(posts) > maxObjects {
		return model.Report{}, apperror.Invalid("posts", "name at most %d posts", maxObjects)
	}
	target, err := staffReportTarget(ctx, tx, in.Group, accountIRI, posts)
	if err != nil {
		return model.Report{}, err
	}
	postsJSON, err := json.Marshal(nonNil(posts))
	if err != nil {
		return model.Report{}, err
	}
	report, err := tx.CreateReport(ctx, model.Report{OrganisationID: in.Group.OrganisationID, GroupID: &in.Group.ID,
		Source: model.ReportFromStaff, ReporterStaffID: &in.StaffID, TargetActorID: target,
		TargetPostIRIs: string(postsJSON), Content: note, Status: model.ReportOpen})
	if err != nil {
		return model.Report{}, err
	}
	if err := record(ctx, tx, report, &in.StaffID, model.ActionReportFile, note, nil); err != nil {
		return model.Report{}, err
	}
	return report, s.notifyFiled(ctx, tx, report)
}

// FileAboutAccount files a staff member's report about accountIRI in group inside tx: the
// community service's Reporter, for a support conversation turned into a report.
func (s *Service) FileAboutAccount(ctx context.Context, tx *store.Store, group model.Group, staffID, accountIRI, note string) (model.Report, error) {
	return s.FileIn(ctx, tx, StaffReport{Group: group, StaffID: staffID, AccountIRI: accountIRI, Note: note})
}

// staffReportTarget checks the posts are the group's and returns the id of the account reported.
func staffReportTarget(ctx context.Context, tx *store.Store, group model.Group, accountIRI string, posts []string) (*string, error) {
	var target *string
	if accountIRI != "" {
		actor, err := tx.RemoteActorByIRI(ctx, accountIRI)
		if errors.Is(err, store.ErrNotFound) {
			return nil, apperror.Invalid("account", "Kring does not know the account %s: it never followed or posted in a group here", accountIRI)
		}
		if err != nil {
			return nil, err
		}
		target = &actor.ID
	}
	for _, iri := range posts {
		post, err := tx.PostInGroup(ctx, group.ID, iri)
		if errors.Is(err, store.ErrNotFound) {
			return nil, apperror.Invalid("posts", "%s is not a post of %s", iri, group.Name)
		}
		if err != nil {
			return nil, err
		}
		if target == nil && post.AuthorActorID != nil {
			target = post.AuthorActorID
		}
	}
	return target, nil
}

func trimmedNonEmpty(values []string) []string {
	var out []string
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
