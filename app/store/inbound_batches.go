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
// the bound keeps a statement's parameters well under PostgreSQL's limit.
const maxBatch = 64

// inboundBatches are the inbox path's statements that concurrent calls share on PostgreSQL
// (coalesce.go): the serve's accept, and the worker's first read of an activity and its settle.
type inboundBatches struct {
	accept  *coalescer[acceptCall, bool]
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

// acceptCall is an inbox request's activity and the row of the task that will process it.
type acceptCall struct {
	activity model.InboundActivity
	task     model.QueuedTask
}

// acceptBatch stores the activities that are new and their tasks in one statement, and says which
// were new. An activity stored before, or twice in the batch, is stored once; the task of a copy
// not stored is not stored either.
func (s *Store) acceptBatch(ctx context.Context, calls []acceptCall) ([]bool, error) {
	var activities, tasks []string
	args := make([]any, 0, len(calls)*15)
	for _, c := range calls {
		a := c.activity
		activities = append(activities, "(?, ?, ?, ?, ?, ?, ?, 0, '', ?)")
		args = append(args, a.ID, a.ActivityIRI, a.ActorIRI, a.ActivityType, a.GroupID, a.RawBody, a.State, a.ReceivedAt)
	}
	for _, c := range calls {
		t := c.task
		tasks = append(tasks, "(CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP))")
		args = append(args, c.activity.ID, t.ID, t.TaskType, t.Queue, t.Payload, t.RunAt, t.CreatedAt)
	}
	var created []string
	err := s.conn(ctx).Raw(`WITH stored AS (
			INSERT INTO inbound_activities (id, activity_iri, actor_iri, activity_type, group_id, raw_body, state, attempts, error, received_at)
			VALUES `+strings.Join(activities, ", ")+`
			ON CONFLICT (activity_iri) DO NOTHING
			RETURNING id)
		INSERT INTO queued_tasks (id, task_type, queue, payload, run_at, attempts, last_error, created_at)
		SELECT task.id, task.task_type, task.queue, task.payload, task.run_at, 0, '', task.created_at
		FROM (VALUES `+strings.Join(tasks, ", ")+`) AS task (inbound_id, id, task_type, queue, payload, run_at, created_at)
		JOIN stored ON stored.id = task.inbound_id
		RETURNING queued_tasks.id`, args...).Scan(&created).Error
	if err != nil {
		return nil, err
	}
	isNew := make([]bool, len(calls))
	for i, c := range calls {
		isNew[i] = slices.Contains(created, c.task.ID)
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
