package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kring-social/kring/app/model"
)

// RemoteHostByName loads the circuit-breaker record of a host; ErrNotFound before its first delivery.
func (s *Store) RemoteHostByName(ctx context.Context, host string) (model.RemoteHost, error) {
	var row model.RemoteHost
	if err := s.conn(ctx).Where("host = ?", host).Take(&row).Error; err != nil {
		return model.RemoteHost{}, fmt.Errorf("find remote host %s: %w", host, classify(err))
	}
	return row, nil
}

// RecordHostSuccess notes a delivery a host accepted: its failure streak ends and, if it was marked
// unreachable, it is reachable again.
func (s *Store) RecordHostSuccess(ctx context.Context, host string) error {
	now := s.now()
	return s.upsertHost(ctx, host, now, map[string]any{
		"consecutive_failures": 0, "total_successes": gorm.Expr("remote_hosts.total_successes + 1"),
		"unreachable_since": nil, "next_probe_at": nil, "last_success_at": now, "updated_at": now,
	}, model.RemoteHost{TotalSuccesses: 1, LastSuccessAt: &now})
}

// RecordHostFailure notes a failed delivery (a network error or a 5xx) and returns the updated record.
func (s *Store) RecordHostFailure(ctx context.Context, host, reason string) (model.RemoteHost, error) {
	now := s.now()
	reason = truncate(reason, 500)
	err := s.upsertHost(ctx, host, now, map[string]any{
		"consecutive_failures": gorm.Expr("remote_hosts.consecutive_failures + 1"),
		"total_failures":       gorm.Expr("remote_hosts.total_failures + 1"),
		"last_failure_at":      now, "last_error": reason, "updated_at": now,
	}, model.RemoteHost{ConsecutiveFailures: 1, TotalFailures: 1, LastFailureAt: &now, LastError: reason})
	if err != nil {
		return model.RemoteHost{}, err
	}
	return s.RemoteHostByName(ctx, host)
}

func (s *Store) upsertHost(ctx context.Context, host string, now time.Time, updates map[string]any, first model.RemoteHost) error {
	first.ID, first.Host, first.CreatedAt, first.UpdatedAt = model.NewID(), host, now, now
	err := s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "host"}},
		DoUpdates: clause.Assignments(updates),
	}).Create(&first).Error
	if err != nil {
		return fmt.Errorf("record delivery result for host %s: %w", host, err)
	}
	return nil
}

// MarkHostUnreachable records that a host has failed long enough to stop trying it, until nextProbe.
func (s *Store) MarkHostUnreachable(ctx context.Context, host string, nextProbe time.Time) error {
	now := s.now()
	err := s.conn(ctx).Model(&model.RemoteHost{}).Where("host = ? AND unreachable_since IS NULL", host).
		Updates(map[string]any{"unreachable_since": now, "next_probe_at": dbTime(nextProbe), "updated_at": now}).Error
	if err != nil {
		return fmt.Errorf("mark host %s unreachable: %w", host, err)
	}
	return nil
}

// ClaimHostProbe lets exactly one delivery probe an unreachable host once its probe time has come:
// the one whose update moves next_probe_at to next wins, concurrent ones see it moved and lose.
func (s *Store) ClaimHostProbe(ctx context.Context, host string, next time.Time) (bool, error) {
	result := s.conn(ctx).Model(&model.RemoteHost{}).
		Where("host = ? AND unreachable_since IS NOT NULL AND next_probe_at <= ?", host, s.now()).
		Updates(map[string]any{"next_probe_at": dbTime(next), "updated_at": s.now()})
	if result.Error != nil {
		return false, fmt.Errorf("claim probe of host %s: %w", host, result.Error)
	}
	return result.RowsAffected == 1, nil
}

// RemoteHostsByName loads the circuit-breaker records of the named hosts that have one.
func (s *Store) RemoteHostsByName(ctx context.Context, hosts []string) ([]model.RemoteHost, error) {
	var rows []model.RemoteHost
	if err := s.conn(ctx).Where("host IN ?", hosts).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("find %d remote hosts: %w", len(hosts), err)
	}
	return rows, nil
}

// RecordHostSoftware notes what software a host runs, as its NodeInfo says (” when it would not say).
func (s *Store) RecordHostSoftware(ctx context.Context, host, software string) error {
	now := s.now()
	return s.upsertHost(ctx, host, now, map[string]any{"software": software, "software_checked_at": now, "updated_at": now},
		model.RemoteHost{Software: software, SoftwareCheckedAt: &now})
}
