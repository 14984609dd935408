package store

import (
	"context"
	"fmt"

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
