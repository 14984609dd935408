package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/kring-social/kring/app/model"
)

// GroupScope is which groups someone may see: every group (All), every group of whole
// organisations, and single groups. An empty scope sees nothing.
type GroupScope struct {
	All             bool
	OrganisationIDs []string
	GroupIDs        []string
}

// GroupsInScope returns the groups of scope, with their organisations' slugs, ordered as ListGroups
// orders them: by organisation slug, then group slug.
func (s *Store) GroupsInScope(ctx context.Context, scope GroupScope) ([]GroupInOrganisation, error) {
	if scope.All {
		return s.ListGroups(ctx, "")
	}
	if len(scope.OrganisationIDs) == 0 && len(scope.GroupIDs) == 0 {
		return nil, nil
	}
	condition := s.conn(ctx).Where("1 = 0")
	if len(scope.OrganisationIDs) > 0 {
		condition = condition.Or("groups.organisation_id IN ?", scope.OrganisationIDs)
	}
	if len(scope.GroupIDs) > 0 {
		condition = condition.Or("groups.id IN ?", scope.GroupIDs)
	}
	var rows []GroupInOrganisation
	err := scan(s.groupsWithOrganisation(ctx).Where(condition).Order("organisations.slug, groups.slug"), &rows)
	if err != nil {
		return nil, fmt.Errorf("list groups in scope: %w", err)
	}
	return rows, nil
}

// GroupCounts are what a group's dashboard card counts: accepted followers, pending follow requests,
// posts held for moderation and open reports.
type GroupCounts struct {
	Followers      int64
	FollowRequests int64
	HeldPosts      int64
	OpenReports    int64
}

// idsPerQuery bounds the ids one IN list carries, well below the bind parameters either database
// takes in one statement.
const idsPerQuery = 1000

// CountsOfGroups counts, for every group of groupIDs, what GroupCounts holds: three grouped counts
// (follows, posts, reports) per thousand groups, not one query per group and number. A group with
// nothing to count is in the map with zeros.
func (s *Store) CountsOfGroups(ctx context.Context, groupIDs []string) (map[string]GroupCounts, error) {
	counts := make(map[string]GroupCounts, len(groupIDs))
	for _, id := range groupIDs {
		counts[id] = GroupCounts{}
	}
	for ids := range slices.Chunk(groupIDs, idsPerQuery) {
		var follows []struct {
			GroupID string
			State   model.FollowState
			N       int64
		}
		err := scan(s.conn(ctx).Model(&model.Follow{}).Select("group_id, state, COUNT(*) AS n").
			Where("group_id IN ? AND state IN ?", ids, []model.FollowState{model.FollowAccepted, model.FollowPending}).
			Group("group_id, state"), &follows)
		if err != nil {
			return nil, fmt.Errorf("count follows of %d groups: %w", len(ids), err)
		}
		for _, row := range follows {
			c := counts[row.GroupID]
			if row.State == model.FollowAccepted {
				c.Followers = row.N
			} else {
				c.FollowRequests = row.N
			}
			counts[row.GroupID] = c
		}
		held, err := s.countByGroup(ctx, &model.Post{}, "state = ?", model.PostHeld, ids)
		if err != nil {
			return nil, fmt.Errorf("count held posts of %d groups: %w", len(ids), err)
		}
		open, err := s.countByGroup(ctx, &model.Report{}, "status = ?", model.ReportOpen, ids)
		if err != nil {
			return nil, fmt.Errorf("count open reports of %d groups: %w", len(ids), err)
		}
		for id, n := range held {
			c := counts[id]
			c.HeldPosts = n
			counts[id] = c
		}
		for id, n := range open {
			c := counts[id]
			c.OpenReports = n
			counts[id] = c
		}
	}
	return counts, nil
}

// countByGroup counts the rows of table's model matching condition (one placeholder, value) per
// group of ids; groups without such rows are left out.
func (s *Store) countByGroup(ctx context.Context, table any, condition string, value any, ids []string) (map[string]int64, error) {
	var rows []struct {
		GroupID string
		N       int64
	}
	err := scan(s.conn(ctx).Model(table).Select("group_id, COUNT(*) AS n").Where("group_id IN ?", ids).
		Where(condition, value).Group("group_id"), &rows)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(rows))
	for _, row := range rows {
		out[row.GroupID] = row.N
	}
	return out, nil
}
