-- Reputation: what people who are not a group's members say to it. A public or unlisted post that
-- addresses a group (to, cc, audience or a Mention) from someone who is not its accepted follower
-- is kept here, whatever the group then did with it (refused by its posting policy, held, shared),
-- so that staff can read and answer it. post_id names the group's post when the group took it as
-- one too; NULL when it did not.
-- What a stranger can make Kring keep is bounded when a row is written (so many per author and per
-- host, per group and hour), which the two indexes on (group_id, remote_actor_id | author_host,
-- received_at) serve; group_mentions_received serves the admin's list, newest first, paged by
-- (received_at, id). Old rows are pruned by received_at.
-- mentions on group_daily_stats counts the rows kept, per group and UTC day, in the same transaction.

-- +goose Up
CREATE TABLE group_mentions (
    id               TEXT PRIMARY KEY,
    group_id         TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    object_iri       TEXT NOT NULL,
    url              TEXT NOT NULL DEFAULT '',
    remote_actor_id  TEXT NOT NULL REFERENCES remote_actors (id) ON DELETE CASCADE,
    author_host      TEXT NOT NULL,
    content_html     TEXT NOT NULL DEFAULT '',
    summary          TEXT NOT NULL DEFAULT '',
    published_at     TIMESTAMP NOT NULL,
    received_at      TIMESTAMP NOT NULL,
    post_id          TEXT REFERENCES posts (id) ON DELETE SET NULL,
    UNIQUE (group_id, object_iri)
);
CREATE INDEX group_mentions_received ON group_mentions (group_id, received_at, id);
CREATE INDEX group_mentions_author ON group_mentions (group_id, remote_actor_id, received_at);
CREATE INDEX group_mentions_host ON group_mentions (group_id, author_host, received_at);
CREATE INDEX group_mentions_pruned ON group_mentions (received_at);
CREATE INDEX group_mentions_actor ON group_mentions (remote_actor_id);
CREATE INDEX group_mentions_post ON group_mentions (post_id);

ALTER TABLE group_daily_stats ADD COLUMN mentions BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE group_daily_stats DROP COLUMN mentions;
DROP TABLE group_mentions;
