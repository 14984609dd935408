package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/kring-social/kring/app/model"
)

// maxBatch bounds the calls one batched statement serves: a serve process admits at most its pool's
// size of inbox requests at once and a worker runs about as many tasks, so a batch seldom reaches it;
// the bound keeps what the calls of one batch wait for together small.
const maxBatch = 64

// inboundBatches are the inbox path's statements that concurrent calls share on PostgreSQL
// (coalesce.go): the serve's accept, and the worker's first read of an activity and its settle.
type inboundBatches struct {
	accept  *coalescer[model.InboundActivity, bool]
	preread *coalescer[string, *InboundToProcess]
	settle  *coalescer[settleCall, struct{}]
}

// Lanes: an inbox request holds its admission slot while it waits for its accept, and a slot held
// long turns into a 503 for the request behind it, so accepts run in up to eight batches at once
// (measured at 32 closed-loop senders: with one lane 3 to 6 times as many requests refused as
// without sharing; with four, median 32 of 6,000; with eight, 15); the worker's reads and settles,
// which hold nothing a sender waits for, in two.
func newInboundBatches(s *Store) *inboundBatches {
	return &inboundBatches{
		accept:  newCoalescer(maxBatch, 8, s.acceptBatch),
		preread: newCoalescer(maxBatch, 2, s.prereadBatch),
		settle:  newCoalescer(maxBatch, 2, s.settleBatch),
	}
}

// acceptBatch stores the activities that are new in one statement, and says which were new. An
// activity stored before, or twice in the batch, is stored once. Each column goes as one array
// (pg_arrays.go).
func (s *Store) acceptBatch(ctx context.Context, activities []model.InboundActivity) ([]bool, error) {
	n := len(activities)
	var (
		ids, iris, actors, types, bodies, states = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		groups                                   = make([]*string, n)
		received                                 = make([]time.Time, n)
	)
	for i, a := range activities {
		ids[i], iris[i], actors[i], types[i], groups[i], bodies[i], states[i], received[i] =
			a.ID, a.ActivityIRI, a.ActorIRI, a.ActivityType, a.GroupID, a.RawBody, string(a.State), a.ReceivedAt
	}
	var created []string
	err := scan(s.conn(ctx).Raw(`INSERT INTO inbound_activities (id, activity_iri, actor_iri, activity_type, group_id, raw_body, state, attempts, error, received_at)
		SELECT id, activity_iri, actor_iri, activity_type, group_id, raw_body, state, 0, '', received_at
		FROM unnest(CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]),
			CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TIMESTAMP[]))
			AS activity (id, activity_iri, actor_iri, activity_type, group_id, raw_body, state, received_at)
		ON CONFLICT (activity_iri) DO NOTHING
		RETURNING id`,
		pgArray(ids), pgArray(iris), pgArray(actors), pgArray(types), pgArray(groups), pgArray(bodies), pgArray(states), pgArray(received)), &created)
	if err != nil {
		return nil, err
	}
	isNew := make([]bool, n)
	for i, a := range activities {
		isNew[i] = slices.Contains(created, a.ID)
	}
	return isNew, nil
}

// prereadBatch reads the activities with ids, each with its actor and group (InboundToProcessByID);
// an id not found has nil.
func (s *Store) prereadBatch(ctx context.Context, ids []string) ([]*InboundToProcess, error) {
	rows, err := s.inboundToProcess(ctx, ids)
	if err != nil {
		return nil, err
	}
	found := make([]*InboundToProcess, len(ids))
	for _, row := range rows {
		for i, id := range ids {
			if row.ID == id {
				found[i] = &row
			}
		}
	}
	return found, nil
}

// settleCall is the outcome of an inbound activity, recorded as its task's outbox row is deleted.
type settleCall struct {
	id, taskID string
	state      model.InboundState
	reason     string
	at         time.Time
}

// settleBatch records the outcomes and deletes the tasks' rows in one statement.
func (s *Store) settleBatch(ctx context.Context, calls []settleCall) ([]struct{}, error) {
	outcomes := make([]string, 0, len(calls))
	args := make([]any, 0, len(calls)*5)
	for _, c := range calls {
		outcomes = append(outcomes, "(CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TIMESTAMP))")
		args = append(args, c.id, c.taskID, c.state, c.reason, c.at)
	}
	err := s.conn(ctx).Exec(`WITH outcome (id, task_id, state, error, processed_at) AS (VALUES `+strings.Join(outcomes, ", ")+`),
			closed AS (DELETE FROM queued_tasks WHERE id IN (SELECT task_id FROM outcome))
		UPDATE inbound_activities SET state = outcome.state, error = outcome.error,
			attempts = inbound_activities.attempts + 1, processed_at = outcome.processed_at
		FROM outcome WHERE inbound_activities.id = outcome.id`, args...).Error
	if err != nil {
		return nil, err
	}
	return make([]struct{}, len(calls)), nil
}
