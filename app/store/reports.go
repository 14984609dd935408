package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kring-social/kring/app/model"
)

// CountOpenReports counts a group's open reports.
func (s *Store) CountOpenReports(ctx context.Context, groupID string) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&model.Report{}).Where("group_id = ? AND status = ?", groupID, model.ReportOpen).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count open reports of group %s: %w", groupID, err)
	}
	return n, nil
}

// CreateReport inserts report, giving it an id and timestamps, and counts it received today.
func (s *Store) CreateReport(ctx context.Context, report model.Report) (model.Report, error) {
	report = s.newReport(report)
	if err := s.conn(ctx).Create(&report).Error; err != nil {
		return model.Report{}, fmt.Errorf("create report: %w", classify(err))
	}
	return report, s.countReportReceived(ctx, report)
}

// CreateReportOfFlag inserts a report of a Flag unless the Flag was reported to the same group
// before, and reports whether it did. ON CONFLICT DO NOTHING rather than a caught unique violation:
// on PostgreSQL a violation aborts the whole transaction, and the caller files several reports in one.
func (s *Store) CreateReportOfFlag(ctx context.Context, report model.Report) (model.Report, bool, error) {
	report = s.newReport(report)
	res := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&report)
	if res.Error != nil {
		return model.Report{}, false, fmt.Errorf("create report of a Flag: %w", classify(res.Error))
	}
	if res.RowsAffected == 0 {
		return report, false, nil // reported before: counted then
	}
	return report, true, s.countReportReceived(ctx, report)
}

func (s *Store) newReport(report model.Report) model.Report {
	now := s.now()
	report.ID = model.NewID()
	report.CreatedAt, report.UpdatedAt = now, now
	report.ForwardedAt = dbTimePtr(report.ForwardedAt)
	report.ResolvedAt = dbTimePtr(report.ResolvedAt)
	if report.TargetPostIRIs == "" {
		report.TargetPostIRIs = "[]"
	}
	return report
}

// ReportByID loads a report.
func (s *Store) ReportByID(ctx context.Context, id string) (model.Report, error) {
	var report model.Report
	if err := s.conn(ctx).Where("id = ?", id).Take(&report).Error; err != nil {
		return model.Report{}, fmt.Errorf("find report %s: %w", id, classify(err))
	}
	return report, nil
}

// AssignReport gives a report to a staff member, or to nobody when staffID is nil.
func (s *Store) AssignReport(ctx context.Context, id string, staffID *string) error {
	changed, err := s.updateReport(s.conn(ctx).Where("id = ?", id), map[string]any{"assignee_staff_id": staffID})
	if err == nil && !changed {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("assign report %s: %w", id, err)
	}
	return nil
}

// SetReportStatus moves a report to status if it is in one of from, and reports whether it was:
// the condition in the UPDATE itself keeps two moderators deciding at once from both winning.
// resolvedAt is written with it (nil when reopened). A report resolved or dismissed by this call
// counts in the day's figures; call it in a transaction, so the two move together.
func (s *Store) SetReportStatus(ctx context.Context, id string, from []model.ReportStatus, status model.ReportStatus, resolvedAt *time.Time) (bool, error) {
	changed, err := s.updateReport(s.conn(ctx).Where("id = ? AND status IN ?", id, from),
		map[string]any{"status": status, "resolved_at": dbTimePtr(resolvedAt)})
	if err != nil {
		return false, fmt.Errorf("set status of report %s: %w", id, err)
	}
	if !changed {
		return false, nil
	}
	return true, s.countReportDecided(ctx, id, status)
}

// MarkReportForwarded records when a report was forwarded, unless it was before; it reports
// whether this call recorded it.
func (s *Store) MarkReportForwarded(ctx context.Context, id string, at time.Time) (bool, error) {
	changed, err := s.updateReport(s.conn(ctx).Where("id = ? AND forwarded_at IS NULL", id),
		map[string]any{"forwarded_at": dbTime(at)})
	if err != nil {
		return false, fmt.Errorf("mark report %s forwarded: %w", id, err)
	}
	return changed, nil
}

func (s *Store) updateReport(where *gorm.DB, columns map[string]any) (bool, error) {
	columns["updated_at"] = s.now()
	res := where.Model(&model.Report{}).Updates(columns)
	if res.Error != nil {
		return false, classify(res.Error)
	}
	return res.RowsAffected > 0, nil
}

// ReportScope is what reports someone may see: every report (All), the reports of whole
// organisations, and those of single groups. An empty scope sees nothing.
type ReportScope struct {
	All             bool
	OrganisationIDs []string
	GroupIDs        []string
}

// ReportFilter narrows ListReports; empty fields match everything within the scope.
type ReportFilter struct {
	Scope   ReportScope
	Status  model.ReportStatus
	GroupID string
	// TargetActorID keeps the reports about one account (a remote actor's id).
	TargetActorID string
	Limit         int // 0 means 100
}

// ReportListing is a report with what a queue shows of it: its group and the account reported.
type ReportListing struct {
	model.Report
	GroupSlug      string
	GroupName      string
	TargetIRI      string
	TargetUsername string
	TargetHost     string
}

// ListReports lists the reports filter selects, oldest first: the queue is worked from the front.
func (s *Store) ListReports(ctx context.Context, filter ReportFilter) ([]ReportListing, error) {
	query := s.conn(ctx).Table("reports").
		Select(`reports.*, groups.slug AS group_slug, groups.name AS group_name, remote_actors.iri AS target_iri,
			remote_actors.preferred_username AS target_username, remote_actors.host AS target_host`).
		Joins("LEFT JOIN groups ON groups.id = reports.group_id").
		Joins("LEFT JOIN remote_actors ON remote_actors.id = reports.target_actor_id")
	if !filter.Scope.All {
		query = query.Where(scopeCondition(s.conn(ctx), filter.Scope))
	}
	if filter.Status != "" {
		query = query.Where("reports.status = ?", filter.Status)
	}
	if filter.GroupID != "" {
		query = query.Where("reports.group_id = ?", filter.GroupID)
	}
	if filter.TargetActorID != "" {
		query = query.Where("reports.target_actor_id = ?", filter.TargetActorID)
	}
	limit := filter.Limit
	if limit <= 0 {
		limit = 100
	}
	var rows []ReportListing
	if err := scan(query.Order("reports.created_at, reports.id").Limit(limit), &rows); err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	return rows, nil
}

// scopeCondition is the WHERE clause of a limited scope; "1 = 0" when it holds nothing, so an
// empty IN list never reaches the database.
func scopeCondition(db *gorm.DB, scope ReportScope) *gorm.DB {
	condition := db.Where("1 = 0")
	if len(scope.OrganisationIDs) > 0 {
		condition = condition.Or("reports.organisation_id IN ?", scope.OrganisationIDs)
	}
	if len(scope.GroupIDs) > 0 {
		condition = condition.Or("reports.group_id IN ?", scope.GroupIDs)
	}
	return condition
}

// AddReportNote appends a staff member's note to a report.
func (s *Store) AddReportNote(ctx context.Context, note model.ReportNote) (model.ReportNote, error) {
	note.ID = model.NewID()
	note.CreatedAt = s.now()
	if err := s.conn(ctx).Create(&note).Error; err != nil {
		return model.ReportNote{}, fmt.Errorf("add note to report %s: %w", note.ReportID, classify(err))
	}
	return note, nil
}

// ReportNoteWithAuthor is a note with the name of the staff member who wrote it.
type ReportNoteWithAuthor struct {
	model.ReportNote
	AuthorEmail       string
	AuthorDisplayName string
}

// ReportNotes lists a report's notes, oldest first.
func (s *Store) ReportNotes(ctx context.Context, reportID string) ([]ReportNoteWithAuthor, error) {
	var rows []ReportNoteWithAuthor
	err := scan(s.conn(ctx).Table("report_notes").
		Select("report_notes.*, staff_accounts.email AS author_email, staff_accounts.display_name AS author_display_name").
		Joins("LEFT JOIN staff_accounts ON staff_accounts.id = report_notes.staff_account_id").
		Where("report_notes.report_id = ?", reportID).Order("report_notes.created_at, report_notes.id"), &rows)
	if err != nil {
		return nil, fmt.Errorf("list notes of report %s: %w", reportID, err)
	}
	return rows, nil
}

// GroupsWithActor lists the groups a remote actor belongs to or took part in: it follows them
// (accepted or asking) or posted in them.
func (s *Store) GroupsWithActor(ctx context.Context, remoteActorID string) ([]string, error) {
	var ids []string
	err := scan(s.conn(ctx).Raw(`SELECT group_id FROM follows WHERE remote_actor_id = ? AND state IN ?
		UNION SELECT group_id FROM posts WHERE author_actor_id = ?`,
		remoteActorID, []model.FollowState{model.FollowAccepted, model.FollowPending}, remoteActorID), &ids)
	if err != nil {
		return nil, fmt.Errorf("list groups of remote actor %s: %w", remoteActorID, err)
	}
	return ids, nil
}
