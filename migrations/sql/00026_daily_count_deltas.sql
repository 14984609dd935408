-- Counts of the day waiting to be added to their rollup row (issue 11).
--
-- Every post a busy group shares, every mention of it, every support conversation opened adds one
-- to the group's single row of the day in group_daily_stats. Added in the event's transaction, that
-- row stays locked until the transaction's commit has reached the disk, so a group's events were
-- processed one at a time, however many workers ran: with 6,000 posts to one group, each transaction
-- waited 33-100 ms for the row and the group took at most one post per commit (150-215 a second on
-- the benchmark's machine). Now the event's transaction inserts a row here instead (an insert
-- waits for no one), and the deltas are folded into the rollups in one statement per table: before
-- the analytics are read, and every few seconds by the workers. A delta is folded exactly once: the
-- fold deletes what it adds, in one transaction.
--
-- row_key is the rollup row's key (a group's or an organisation's id); counter is a column of
-- rollup_table, one of the constants the store writes (never input). Deltas of a group or an
-- organisation deleted meanwhile are dropped by the fold.

-- +goose Up
CREATE TABLE daily_count_deltas (
    id            TEXT PRIMARY KEY,
    rollup_table  TEXT NOT NULL,
    row_key       TEXT NOT NULL,
    day           TEXT NOT NULL,
    counter       TEXT NOT NULL,
    amount        BIGINT NOT NULL
);
CREATE INDEX daily_count_deltas_rollup ON daily_count_deltas (rollup_table);

-- +goose Down
DROP TABLE daily_count_deltas;
