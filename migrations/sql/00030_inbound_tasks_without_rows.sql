-- The task that processes an inbound activity has no outbox row while all goes well (issue 11): its
-- id is the activity's, the activity's pending row stands for it, and it gets a row of its own, with
-- that id, only when the broker refuses it, its lease runs out or an attempt fails. Accepting an
-- activity then writes one row instead of two, and nothing marks a row enqueued or deletes it after.
--
-- The rows such tasks have from before take their activity's id, read from the payload
-- {"inbound_activity_id":"..."} (24 characters before the id, 2 after), so that the sweep, which
-- gives a row to a pending activity that has none under its id, does not give one a second task.
-- A copy the broker still holds under the old id runs once more and finds its activity settled.

-- +goose Up
UPDATE queued_tasks SET id = substr(payload, 25, length(payload) - 26)
WHERE task_type = 'inbound:activity' AND payload LIKE '{"inbound_activity_id":"%"}';

-- +goose Down
SELECT 1;
