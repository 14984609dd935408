-- A group welcomes each new member once with a direct message. The text is the group's (empty: Kring's
-- default text); a group can turn welcomes off. A welcome is recorded when it is queued, in the same
-- transaction as the Accept of the follow: the unique index is what makes it once per member and
-- group, whatever the number of re-follows or approvals.

-- +goose Up
ALTER TABLE groups ADD COLUMN welcome_enabled BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE groups ADD COLUMN welcome_text TEXT NOT NULL DEFAULT '';
CREATE TABLE welcomes (
    id               TEXT PRIMARY KEY NOT NULL,
    group_id         TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    remote_actor_id  TEXT NOT NULL REFERENCES remote_actors (id) ON DELETE CASCADE,
    activity_iri     TEXT NOT NULL,
    object_iri       TEXT NOT NULL,
    content_html     TEXT NOT NULL,
    sent_at          TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX welcomes_group_actor ON welcomes (group_id, remote_actor_id);
CREATE INDEX welcomes_actor ON welcomes (remote_actor_id);
CREATE INDEX welcomes_object ON welcomes (object_iri);

-- +goose Down
DROP TABLE welcomes;
ALTER TABLE groups DROP COLUMN welcome_text;
ALTER TABLE groups DROP COLUMN welcome_enabled;
