-- One post written once and published by several groups of an organisation: each group publishes
-- its own post (to its own followers), and the posts share a publication id, so the admin shows them
-- as one piece of work.

-- +goose Up
ALTER TABLE posts ADD COLUMN publication_id TEXT;
CREATE INDEX posts_publication ON posts (publication_id);

-- +goose Down
DROP INDEX posts_publication;
ALTER TABLE posts DROP COLUMN publication_id;
