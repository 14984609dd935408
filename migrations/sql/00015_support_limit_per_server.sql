-- The support inbox also limits how many conversations the accounts of one server may open in one
-- group in an hour, so a server that makes accounts by the hundred cannot bury the inbox. The count
-- reads the group's conversations of the last hour by when they were opened.

-- +goose Up
CREATE INDEX support_conversations_group_created ON support_conversations (group_id, created_at);

-- +goose Down
DROP INDEX support_conversations_group_created;
