-- The posting rate limit per host counts the posts of a host's actors in the last minutes. Through
-- remote_actors and posts_created_at PostgreSQL read every post of the window, from every host: under
-- load (hundreds of posts a second, a ten-minute window) that is hundreds of thousands of rows for
-- each new post. A post now keeps its author's host (an actor's host never changes: it is part of its
-- id), and the count reads only that host's posts of the window, which the limit keeps few.

-- +goose Up
ALTER TABLE posts ADD COLUMN author_host TEXT NOT NULL DEFAULT '';
UPDATE posts SET author_host = (SELECT host FROM remote_actors WHERE remote_actors.id = posts.author_actor_id)
    WHERE author_actor_id IS NOT NULL;
CREATE INDEX posts_author_host_created ON posts (author_host, created_at);
DROP INDEX posts_created_at;

-- +goose Down
CREATE INDEX posts_created_at ON posts (created_at);
DROP INDEX posts_author_host_created;
ALTER TABLE posts DROP COLUMN author_host;
