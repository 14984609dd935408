-- Events a group publishes: small and large gatherings members join from any fediverse app.
-- An event is federated as an ActivityStreams Event by the group (object_iri); its poll (a Question
-- with the options Going / Maybe / Can't come, poll_object_iri) lets members on Mastodon-like apps
-- answer from their own app. Participants are remote actors, by Join (event-aware servers) or by
-- their vote; one row per event and actor, whose state moves (pending approval, going, maybe, not
-- going, waiting for a place, rejected). Reminders are one row per event and lead time: a reminder is
-- sent once (sent_at), by a task queued for due_at, and never for a cancelled event.
-- sequence is the iCalendar SEQUENCE: it rises with every change participants should see.

-- +goose Up
CREATE TABLE events (
    id                   TEXT PRIMARY KEY NOT NULL,
    group_id             TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    object_iri           TEXT NOT NULL,
    title                TEXT NOT NULL,
    description          TEXT NOT NULL DEFAULT '',
    starts_at            TIMESTAMP NOT NULL,
    ends_at              TIMESTAMP,
    time_zone            TEXT NOT NULL,
    place_name           TEXT NOT NULL DEFAULT '',
    place_address        TEXT NOT NULL DEFAULT '',
    online_url           TEXT NOT NULL DEFAULT '',
    capacity             INTEGER NOT NULL DEFAULT 0 CHECK (capacity >= 0),
    join_mode            TEXT NOT NULL CHECK (join_mode IN ('open', 'approval')),
    image_path           TEXT NOT NULL DEFAULT '',
    image_alt            TEXT NOT NULL DEFAULT '',
    status               TEXT NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
    sequence             INTEGER NOT NULL DEFAULT 0,
    poll_object_iri      TEXT,
    create_activity_iri  TEXT NOT NULL DEFAULT '',
    created_by_staff_id  TEXT REFERENCES staff_accounts (id) ON DELETE SET NULL,
    published_at         TIMESTAMP NOT NULL,
    cancelled_at         TIMESTAMP,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX events_object_iri ON events (object_iri);
CREATE UNIQUE INDEX events_poll_object_iri ON events (poll_object_iri);
CREATE INDEX events_group_starts ON events (group_id, starts_at);

CREATE TABLE event_participants (
    id                 TEXT PRIMARY KEY NOT NULL,
    event_id           TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    remote_actor_id    TEXT NOT NULL REFERENCES remote_actors (id) ON DELETE CASCADE,
    state              TEXT NOT NULL CHECK (state IN ('pending', 'going', 'maybe', 'declined', 'waiting', 'rejected')),
    via                TEXT NOT NULL CHECK (via IN ('join', 'poll')),
    join_activity_iri  TEXT NOT NULL DEFAULT '',
    vote_object_iri    TEXT NOT NULL DEFAULT '',
    message            TEXT NOT NULL DEFAULT '',
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX event_participants_event_actor ON event_participants (event_id, remote_actor_id);
CREATE INDEX event_participants_event_state ON event_participants (event_id, state, created_at);
CREATE INDEX event_participants_actor ON event_participants (remote_actor_id);

CREATE TABLE event_reminders (
    id            TEXT PRIMARY KEY NOT NULL,
    event_id      TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    lead_minutes  INTEGER NOT NULL CHECK (lead_minutes > 0),
    due_at        TIMESTAMP NOT NULL,
    sent_at       TIMESTAMP,
    created_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX event_reminders_event_lead ON event_reminders (event_id, lead_minutes);

-- +goose Down
DROP TABLE event_reminders;
DROP TABLE event_participants;
DROP TABLE events;
