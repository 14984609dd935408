package reports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// Report loads a report.
func (s *Service) Report(ctx context.Context, id string) (model.Report, error) {
	report, err := s.store.ReportByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return model.Report{}, apperror.NotFound("report not found")
	}
	return report, err
}

// Assign gives the report to a staff member, or to nobody when staffID is nil. Who looks into a
// report is not a decision on it: it is not logged.
func (s *Service) Assign(ctx context.Context, reportID string, staffID *string) error {
	err := s.store.AssignReport(ctx, reportID, staffID)
	if errors.Is(err, store.ErrNotFound) {
		return apperror.NotFound("report not found")
	}
	return err
}

// AddNote adds a staff member's note to a report and logs it.
func (s *Service) AddNote(ctx context.Context, reportID, staffID, body string) error {
	body, err := textinput.Text("note", body, maxNote)
	if err != nil {
		return err
	}
	if body == "" {
		return apperror.Invalid("note", "must not be empty")
	}
	return s.decide(ctx, reportID, func(tx *store.Store, report model.Report) error {
		if _, err := tx.AddReportNote(ctx, model.ReportNote{ReportID: report.ID, StaffAccountID: &staffID, Body: body}); err != nil {
			return err
		}
		return record(ctx, tx, report, &staffID, model.ActionReportNote, body, nil)
	})
}

// transitions says which statuses each status may be reached from, and the log action of the move.
var transitions = map[model.ReportStatus]struct {
	from   []model.ReportStatus
	action model.LogAction
}{
	model.ReportResolved:  {[]model.ReportStatus{model.ReportOpen}, model.ActionReportResolve},
	model.ReportDismissed: {[]model.ReportStatus{model.ReportOpen}, model.ActionReportDismiss},
	model.ReportOpen:      {[]model.ReportStatus{model.ReportResolved, model.ReportDismissed}, model.ActionReportReopen},
}

// SetStatus resolves, dismisses or reopens a report, with an optional reason for the log. Only an
// open report is resolved or dismissed, only a closed one reopened.
func (s *Service) SetStatus(ctx context.Context, reportID, staffID string, status model.ReportStatus, reason string) error {
	move, ok := transitions[status]
	if !ok {
		return apperror.Invalid("status", "must be open, resolved or dismissed (got %q)", string(status))
	}
	reason, err := textinput.Text("reason", reason, maxReason)
	if err != nil {
		return err
	}
	return s.decide(ctx, reportID, func(tx *store.Store, report model.Report) error {
		var resolvedAt = new(s.now())
		if status == model.ReportOpen {
			resolvedAt = nil
		}
		changed, err := tx.SetReportStatus(ctx, report.ID, move.from, status, resolvedAt)
		if err != nil {
			return err
		}
		if !changed {
			return apperror.Conflict("status", "the report is %s", report.Status)
		}
		report.Status = status
		return record(ctx, tx, report, &staffID, move.action, reason, nil)
	})
}

// Forward sends the report to the reported account's server as a Flag from this instance, naming
// the account and those of the report's posts that are on that server (the only ones it can act
// on; nothing else of this server's is told), with comment as the reason. A report is forwarded once.
func (s *Service) Forward(ctx context.Context, reportID, staffID, comment string) error {
	comment, err := textinput.Text("comment", comment, maxReason)
	if err != nil {
		return err
	}
	return s.decide(ctx, reportID, func(tx *store.Store, report model.Report) error {
		if report.TargetActorID == nil {
			return apperror.Invalid("report", "the report names no account Kring knows: there is no server to forward it to")
		}
		target, err := tx.RemoteActorByID(ctx, *report.TargetActorID)
		if err != nil {
			return err
		}
		if report.ReporterActorID != nil {
			reporter, err := tx.RemoteActorByID(ctx, *report.ReporterActorID)
			if err != nil {
				return err
			}
			if reporter.Host == target.Host {
				return apperror.Invalid("report", "the report came from %s itself", target.Host)
			}
		}
		forwarded, err := tx.MarkReportForwarded(ctx, report.ID, s.now())
		if err != nil {
			return err
		}
		if !forwarded {
			return apperror.Conflict("report", "the report was forwarded already")
		}
		posts, err := PostIRIs(report)
		if err != nil {
			return err
		}
		if err := s.forwarder.ForwardFlag(ctx, tx, target, onServerOf(target.IRI, posts), comment); err != nil {
			return err
		}
		return record(ctx, tx, report, &staffID, model.ActionReportForward, comment, map[string]any{"to": target.Host})
	})
}

// decide runs one change of a report in a transaction, on the report as it is in there.
func (s *Service) decide(ctx context.Context, reportID string, change func(tx *store.Store, report model.Report) error) error {
	return s.store.Transaction(ctx, func(tx *store.Store) error {
		report, err := tx.ReportByID(ctx, reportID)
		if errors.Is(err, store.ErrNotFound) {
			return apperror.NotFound("report not found")
		}
		if err != nil {
			return err
		}
		return change(tx, report)
	})
}

// record writes a decision on report to the moderation log, in the report's organisation and group.
func record(ctx context.Context, tx *store.Store, report model.Report, staffID *string, action model.LogAction, reason string, metadata map[string]any) error {
	_, err := tx.RecordModerationAction(ctx, store.LogEntry{OrganisationID: &report.OrganisationID,
		GroupID: report.GroupID, StaffAccountID: staffID, Action: action, TargetKind: TargetReport, TargetID: report.ID,
		Reason: reason, Metadata: metadata})
	return err
}

// PostIRIs reads the ids of the posts a report names.
func PostIRIs(report model.Report) ([]string, error) {
	var iris []string
	if err := json.Unmarshal([]byte(report.TargetPostIRIs), &iris); err != nil {
		return nil, fmt.Errorf("read the posts of report %s: %w", report.ID, err)
	}
	return iris, nil
}

// onServerOf keeps the iris on the same server (scheme, host and port) as actorIRI.
func onServerOf(actorIRI string, iris []string) []string {
	origin := originOf(actorIRI)
	var out []string
	for _, iri := range iris {
		if origin != "" && originOf(iri) == origin {
			out = append(out, iri)
		}
	}
	return out
}

func originOf(iri string) string {
	u, err := url.Parse(iri)
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}
