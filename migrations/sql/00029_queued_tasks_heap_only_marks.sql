-- Every task handed to the broker is marked with the time (enqueued_at), so that the sweeper leaves
-- it alone for the lease (issue 11). queued_tasks_sweep held enqueued_at, so each mark wrote a new
-- entry in both of the table's indexes rather than a heap-only (HOT) update, and every task, an
-- inbound activity's above all, wrote an entry in it when recorded.
--
-- The sweep reads the live rows in id order from the primary key instead, filtering on enqueued_at:
-- the outbox holds only work not yet done (a row goes when its task completes), so that read is the
-- size of the backlog, every five seconds. Measured with 100,000 live rows, all marked within the
-- lease (nothing to sweep, the worst case for it; EXPLAIN ANALYZE, a warm cache, the machine busy):
-- 10-13.5 ms without the index against 0.02-0.06 ms with it, so about 2.5 ms of PostgreSQL's time a
-- second while a backlog that size lasts (minutes of the worker's work), against three index entries
-- fewer for every task recorded and marked. The dead rows, which the admin lists newest first, keep
-- an index of their own that live rows never enter.

-- +goose Up
DROP INDEX queued_tasks_sweep;
CREATE INDEX queued_tasks_dead ON queued_tasks (dead_at) WHERE dead_at IS NOT NULL;

-- +goose Down
DROP INDEX queued_tasks_dead;
CREATE INDEX queued_tasks_sweep ON queued_tasks (dead_at, enqueued_at);
