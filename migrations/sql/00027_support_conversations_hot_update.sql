-- A member's every direct message moves her conversation's last_message_at (issue 11).
--
-- The two indexes that carried last_message_at as their last column made that update a new entry in
-- every index of the table (five), not a heap-only (HOT) update: a third of the WAL a continued
-- conversation wrote. Without it they serve the same reads: a member has a handful of conversations
-- with a group, sorted in memory for her latest one, and the staff's list filters on several
-- statuses at once (IN), which the old index could not read in last_message_at order either.
-- What it costs, measured with 20,000 conversations in one group: a page of the open ones 1.8 ms
-- before and after, of all of them 5.8 and 5.9 ms (no index ever gave that order), but of the closed
-- ones alone 0.05 against 5.7 ms: a sort of the group's closed conversations, growing with them, for
-- a page staff open now and then, against five index entries fewer for every message received.

-- +goose Up
DROP INDEX support_conversations_group_status;
DROP INDEX support_conversations_member;
CREATE INDEX support_conversations_group_status ON support_conversations (group_id, status);
CREATE INDEX support_conversations_member ON support_conversations (group_id, remote_actor_id);

-- +goose Down
DROP INDEX support_conversations_member;
DROP INDEX support_conversations_group_status;
CREATE INDEX support_conversations_member ON support_conversations (group_id, remote_actor_id, last_message_at);
CREATE INDEX support_conversations_group_status ON support_conversations (group_id, status, last_message_at);
