package reports

import (
	"context"
	"errors"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// Details is a report with everything its page shows.
type Details struct {
	Report        model.Report
	Group         *model.Group // nil when the group was deleted since
	Target        *model.RemoteActor
	Reporter      *model.RemoteActor  // the server's actor that sent the Flag
	ReporterStaff *model.StaffAccount // the staff member who filed it
	Assignee      *model.StaffAccount
	Posts         []ReportedPost
	Notes         []store.ReportNoteWithAuthor
}

// ReportedPost is a post a report names, with the group's copy when Kring has it.
type ReportedPost struct {
	IRI  string
	Post *model.Post // nil when it is no post of the report's group
}

// Details loads a report and what it refers to. Posts are looked up in the report's own group
// only: a report never shows another group's posts.
func (s *Service) Details(ctx context.Context, reportID string) (Details, error) {
	report, err := s.Report(ctx, reportID)
	if err != nil {
		return Details{}, err
	}
	d := Details{Report: report}
	if report.GroupID != nil {
		if d.Group, err = optional(s.store.GroupByID(ctx, *report.GroupID)); err != nil {
			return Details{}, err
		}
	}
	for _, actor := range []struct {
		id   *string
		into **model.RemoteActor
	}{{report.TargetActorID, &d.Target}, {report.ReporterActorID, &d.Reporter}} {
		if actor.id == nil {
			continue
		}
		if *actor.into, err = optional(s.store.RemoteActorByID(ctx, *actor.id)); err != nil {
			return Details{}, err
		}
	}
	for _, staff := range []struct {
		id   *string
		into **model.StaffAccount
	}{{report.ReporterStaffID, &d.ReporterStaff}, {report.AssigneeStaffID, &d.Assignee}} {
		if staff.id == nil {
			continue
		}
		if *staff.into, err = optional(s.store.StaffAccountByID(ctx, *staff.id)); err != nil {
			return Details{}, err
		}
	}
	if d.Posts, err = s.reportedPosts(ctx, report, d.Group); err != nil {
		return Details{}, err
	}
	d.Notes, err = s.store.ReportNotes(ctx, report.ID)
	return d, err
}

func (s *Service) reportedPosts(ctx context.Context, report model.Report, group *model.Group) ([]ReportedPost, error) {
	iris, err := PostIRIs(report)
	if err != nil {
		return nil, err
	}
	posts := make([]ReportedPost, 0, len(iris))
	for _, iri := range iris {
		reported := ReportedPost{IRI: iri}
		if group != nil {
			if reported.Post, err = optional(s.store.PostInGroup(ctx, group.ID, iri)); err != nil {
				return nil, err
			}
		}
		posts = append(posts, reported)
	}
	return posts, nil
}

// ReportedPost returns the post of the report's group that the report names as iri: the only posts
// a moderator may act on from a report.
func (s *Service) ReportedPost(ctx context.Context, report model.Report, iri string) (model.Post, error) {
	iris, err := PostIRIs(report)
	if err != nil {
		return model.Post{}, err
	}
	for _, named := range iris {
		if named != iri || report.GroupID == nil {
			continue
		}
		post, err := s.store.PostInGroup(ctx, *report.GroupID, iri)
		if errors.Is(err, store.ErrNotFound) {
			break
		}
		return post, err
	}
	return model.Post{}, apperror.NotFound("the report names no such post of its group")
}

// optional turns a row that is not there into nil.
func optional[T any](row T, err error) (*T, error) {
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &row, nil
}
