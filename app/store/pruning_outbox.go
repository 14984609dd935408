package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/kring-social/kring/app/model"
)

// The delivery outbox's rows are raw records: once settled, what they tell (deliveries attempted,
// succeeded, failed per group and day) is in group_daily_stats, counted as they settled, so they may
// go after a retention period. The rollups are never pruned.

// PruneBatch is how many rows one pruning statement deletes: a first prune of a long history is
// many short statements, none holding locks (or SQLite's one writer) for long.
const PruneBatch = 5000

// ServedOutboundTypes are the types of outbound activity other servers may read again after their
// delivery: Kring serves them by their id when addressed to the public, lists them in group
// outboxes, and reads Undos to answer 410 for a withdrawn Announce. They are kept however old; the
// rest (Accept, Reject, Flag ...: about one actor, never served) may be pruned once delivered.
var ServedOutboundTypes = []string{"Announce", "Create", "Update", "Delete", "Undo"}

// settledDeliveryStates are the states a delivery ends in; pending ones are never pruned.
var settledDeliveryStates = []model.DeliveryState{model.DeliveryDelivered, model.DeliveryFailed, model.DeliveryAbandoned}

// idsBefore is a bound below which every id (UUIDv7: its text starts with its creation time in
// milliseconds) was made before t. Pruning queries pair it with their created_at condition, which
// decides; the bound only lets them walk the primary key instead of scanning the table.
func idsBefore(t time.Time) string {
	var bound uuid.UUID
	ms := uint64(t.UnixMilli())
	for i := range 6 {
		bound[i] = byte(ms >> (8 * (5 - i)))
	}
	return bound.String()
}

// PruneSettledDeliveries deletes deliveries settled (delivered, failed or abandoned) and created
// before before, PruneBatch rows a statement, until none are left or ctx ends. It returns how many
// went.
func (s *Store) PruneSettledDeliveries(ctx context.Context, before time.Time) (int64, error) {
	return s.pruneSettledDeliveries(ctx, before, PruneBatch)
}

func (s *Store) pruneSettledDeliveries(ctx context.Context, before time.Time, batch int) (int64, error) {
	return s.pruneInBatches(ctx, batch, "deliveries", "deliveries",
		"id < ? AND created_at < ? AND state IN ?", idsBefore(before), dbTime(before), settledDeliveryStates)
}

// PruneFinishedOutboundActivities deletes outbound activities created before before that no server
// reads again (not of ServedOutboundTypes) and that have no delivery left: prune the settled
// deliveries first, so that what remains is pending or recent, either of which keeps its activity.
// PruneBatch rows a statement; it returns how many went.
func (s *Store) PruneFinishedOutboundActivities(ctx context.Context, before time.Time) (int64, error) {
	return s.pruneFinishedOutboundActivities(ctx, before, PruneBatch)
}

func (s *Store) pruneFinishedOutboundActivities(ctx context.Context, before time.Time, batch int) (int64, error) {
	return s.pruneInBatches(ctx, batch, "outbound_activities", "outbound activities",
		`id < ? AND created_at < ? AND activity_type NOT IN ?
			AND NOT EXISTS (SELECT 1 FROM deliveries WHERE deliveries.outbound_activity_id = outbound_activities.id)`,
		idsBefore(before), dbTime(before), ServedOutboundTypes)
}

// pruneInBatches deletes the rows of table matching where, batch a statement (each its own
// transaction outside one), until a statement deletes fewer or ctx ends. table and where are
// constants, never input.
func (s *Store) pruneInBatches(ctx context.Context, batch int, table, what, where string, args ...any) (int64, error) {
	statement := fmt.Sprintf("DELETE FROM %[1]s WHERE id IN (SELECT id FROM %[1]s WHERE %[2]s LIMIT %[3]d)", table, where, batch)
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		result := s.conn(ctx).Exec(statement, args...)
		if result.Error != nil {
			return total, fmt.Errorf("prune %s: %w", what, result.Error)
		}
		total += result.RowsAffected
		if result.RowsAffected < int64(batch) {
			return total, nil
		}
	}
}
