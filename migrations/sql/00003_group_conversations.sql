-- Group conversations (FEP-1b12): what a group keeps of the posts members send it, the likes they
-- get, and what Kring knows of the software each remote server runs, which decides the shape of the
-- group's Announces to it.

-- +goose Up

-- One object may be posted into several groups (it addresses or mentions each): a post is unique per
-- group, not instance-wide.
DROP INDEX posts_object_iri;
CREATE UNIQUE INDEX posts_group_object_iri ON posts (group_id, object_iri);
CREATE INDEX posts_object_iri ON posts (object_iri);

-- create_activity_iri and activity_json: the Create as its author signed and sent it (or as the group
-- wrote it), embedded in the FEP-1b12 Announce and named by a Reject when a moderator declines it.
-- reach says who sees the post: 'followers' are announced to every follower; 'thread' posts are
-- replies, kept in the group's thread and forwarded only to servers that understand groups.
-- activity_announce_iri is the FEP-1b12 Announce of the Create; announce_activity_iri (from 00002)
-- the Announce of the object itself that microblogging servers turn into a boost.
ALTER TABLE posts ADD COLUMN create_activity_iri TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN activity_json TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN reach TEXT NOT NULL DEFAULT 'followers' CHECK (reach IN ('followers', 'thread'));
ALTER TABLE posts ADD COLUMN activity_announce_iri TEXT;
ALTER TABLE posts ADD COLUMN like_count INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX posts_activity_announce_iri ON posts (activity_announce_iri);
-- the posting rate limits count an actor's (and a host's) recent posts.
CREATE INDEX posts_author_created ON posts (author_actor_id, created_at);

CREATE TABLE post_likes (
    id               TEXT PRIMARY KEY NOT NULL,
    post_id          TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    remote_actor_id  TEXT NOT NULL REFERENCES remote_actors (id) ON DELETE CASCADE,
    activity_iri     TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX post_likes_post_actor ON post_likes (post_id, remote_actor_id);
CREATE INDEX post_likes_activity_iri ON post_likes (activity_iri);

-- software is the NodeInfo software name a server reports ('' when unknown); checked_at says when it
-- was last asked, so a server is asked at most once a day.
ALTER TABLE remote_hosts ADD COLUMN software TEXT NOT NULL DEFAULT '';
ALTER TABLE remote_hosts ADD COLUMN software_checked_at TIMESTAMP;

-- +goose Down
ALTER TABLE remote_hosts DROP COLUMN software_checked_at;
ALTER TABLE remote_hosts DROP COLUMN software;
DROP TABLE post_likes;
DROP INDEX posts_author_created;
DROP INDEX posts_activity_announce_iri;
ALTER TABLE posts DROP COLUMN like_count;
ALTER TABLE posts DROP COLUMN activity_announce_iri;
ALTER TABLE posts DROP COLUMN reach;
ALTER TABLE posts DROP COLUMN activity_json;
ALTER TABLE posts DROP COLUMN create_activity_iri;
DROP INDEX posts_object_iri;
DROP INDEX posts_group_object_iri;
CREATE UNIQUE INDEX posts_object_iri ON posts (object_iri);
