-- The posting rate limit per host counts the posts of a host's actors in the last minutes. For a
-- host with many known actors the planner would otherwise read all of posts_author_created (every
-- post in the table) to find the recent ones; with this index it reads only the window's posts.

-- +goose Up
CREATE INDEX posts_created_at ON posts (created_at);

-- +goose Down
DROP INDEX posts_created_at;
