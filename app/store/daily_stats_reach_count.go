package store

import (
	"context"
	"fmt"
)

// Reach per server is counted where a group's deliveries are (countDeliveriesSettled), in the
// settle's own transaction, when the attempts settled for good; reach per post goes with the group's
// deliveries of the day, as deltas.

// countServersReached adds the attempts of deliveries ids, when they settled (success or failure is
// 1), to what the sending group knows of their servers (server_reach: the last day each was reached
// or failed, and the failures since it was last reached). A fan-out's settles touch a row per server,
// each its own, so they upsert in place. Deliveries of the instance actor count for no group.
func (s *Store) countServersReached(ctx context.Context, ids []string, success, failure int) error {
	if success+failure == 0 {
		return nil // a retry to come: the server is neither reached nor given up on yet
	}
	day := StatsDay(s.now())
	// A success marks the server reached today and clears its run of failures; a failure for good
	// marks it failed today and lengthens the run. The stored day is kept where the proposed row has
	// none (NULL: a failure proposes no success day, and the other way round).
	succeededDay, failedDay := dayIf(day, success), dayIf(day, failure)
	err := s.execLast(ctx, "server_reach", `INSERT INTO server_reach (group_id, host, last_succeeded_day, last_failed_day, failures_since_success)
		SELECT o.group_id, d.host, CAST(? AS TEXT), CAST(? AS TEXT), COUNT(*) * CAST(? AS BIGINT)
		FROM deliveries d JOIN outbound_activities o ON o.id = d.outbound_activity_id
		WHERE d.id IN ? AND o.group_id IS NOT NULL GROUP BY o.group_id, d.host
		ON CONFLICT (group_id, host) DO UPDATE SET
			last_succeeded_day = COALESCE(excluded.last_succeeded_day, server_reach.last_succeeded_day),
			last_failed_day = COALESCE(excluded.last_failed_day, server_reach.last_failed_day),
			failures_since_success = CASE WHEN excluded.last_succeeded_day IS NULL
				THEN server_reach.failures_since_success + excluded.failures_since_success ELSE 0 END`,
		succeededDay, failedDay, failure, ids)
	if err != nil {
		return fmt.Errorf("count %d settled deliveries per server: %w", len(ids), err)
	}
	return nil
}

// dayIf is day when flag is 1 and no day (NULL) when it is 0.
func dayIf(day string, flag int) *string {
	if flag == 0 {
		return nil
	}
	return &day
}
