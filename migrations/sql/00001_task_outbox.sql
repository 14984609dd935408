-- The durable record of every asynq task Kring enqueues (transactional outbox). A row is written in
-- the same transaction as the state change that needs the work, enqueued after commit with the row's
-- id as asynq's TaskID, and deleted when the work is done. If Redis loses its data, or the embedded
-- broker restarts empty, the sweeper enqueues the rows again: no work is lost.

-- +goose Up
CREATE TABLE queued_tasks (
    id           TEXT PRIMARY KEY,
    task_type    TEXT NOT NULL,
    queue        TEXT NOT NULL,
    payload      TEXT NOT NULL,
    run_at       TIMESTAMP NOT NULL,
    enqueued_at  TIMESTAMP,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    dead_at      TIMESTAMP,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX queued_tasks_sweep ON queued_tasks (dead_at, enqueued_at);

-- +goose Down
DROP TABLE queued_tasks;
