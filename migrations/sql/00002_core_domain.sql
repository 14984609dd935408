-- The core of Kring's domain: organisations and their staff, groups (local ActivityPub Group actors)
-- and their keys, the remote actors they talk to, follows, posts, the durable inbox, the delivery
-- outbox with its per-host circuit breaker, domain blocks, bans and the moderation log.
--
-- Written in the SQL both PostgreSQL and SQLite accept: TEXT ids made by the application (UUIDv7),
-- TIMESTAMP columns holding UTC (the store normalises every time it writes), BOOLEAN, INTEGER/BIGINT,
-- TEXT for JSON documents, CHECK constraints for enumerations, and partial unique indexes (both
-- engines support CREATE UNIQUE INDEX ... WHERE). SQLite enforces the foreign keys because the store
-- opens it with foreign_keys(1).
--
-- ON DELETE rules: rows that only make sense inside their parent (a group's follows, posts, keys)
-- cascade; an organisation cannot be deleted while it still has groups (RESTRICT), because a group
-- that other servers know must be retired deliberately; references to a staff account from records
-- that must outlive it (who blocked a domain, who banned someone, the moderation log) become NULL.

-- +goose Up

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY NOT NULL,
    slug        TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX organisations_slug ON organisations (slug);

-- Emails are stored lowercased by the store, so the plain unique index is a case-insensitive one.
CREATE TABLE staff_accounts (
    id                   TEXT PRIMARY KEY NOT NULL,
    email                TEXT NOT NULL,
    display_name         TEXT NOT NULL DEFAULT '',
    password_hash        TEXT NOT NULL,
    instance_admin       BOOLEAN NOT NULL DEFAULT FALSE,
    disabled_at          TIMESTAMP,
    last_login_at        TIMESTAMP,
    password_changed_at  TIMESTAMP NOT NULL,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX staff_accounts_email ON staff_accounts (email);

CREATE TABLE staff_roles (
    id                TEXT PRIMARY KEY NOT NULL,
    staff_account_id  TEXT NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
    organisation_id   TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    role              TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'moderator')),
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX staff_roles_account_organisation ON staff_roles (staff_account_id, organisation_id);
CREATE INDEX staff_roles_organisation ON staff_roles (organisation_id);

-- Instance-wide facts kept as key/value rows. The primary key also makes one-time events safe when
-- two processes start together: the first admin is created in the same transaction that inserts
-- the key 'first_admin', so only one of two racing transactions can commit.
CREATE TABLE instance_settings (
    key         TEXT PRIMARY KEY NOT NULL,
    value       TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- A group's slug is its fediverse handle (acct:slug@domain) and part of its actor IRI, so it is
-- unique across the instance, not per organisation, and never changes once federated_at is set.
CREATE TABLE groups (
    id                 TEXT PRIMARY KEY NOT NULL,
    organisation_id    TEXT NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    slug               TEXT NOT NULL,
    name               TEXT NOT NULL,
    summary            TEXT NOT NULL DEFAULT '',
    rules              TEXT NOT NULL DEFAULT '',
    avatar_path        TEXT NOT NULL DEFAULT '',
    header_path        TEXT NOT NULL DEFAULT '',
    posting_policy     TEXT NOT NULL DEFAULT 'followers'
                       CHECK (posting_policy IN ('followers', 'anyone', 'moderators', 'premoderated')),
    approve_followers  BOOLEAN NOT NULL DEFAULT FALSE,
    discoverable       BOOLEAN NOT NULL DEFAULT TRUE,
    archived_at        TIMESTAMP,
    federated_at       TIMESTAMP,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX groups_slug ON groups (slug);
CREATE INDEX groups_organisation ON groups (organisation_id, slug);

-- Moderators see and act on the groups they are assigned to; owners and admins see all of their
-- organisation's groups through staff_roles.
CREATE TABLE group_moderators (
    id                TEXT PRIMARY KEY NOT NULL,
    group_id          TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    staff_account_id  TEXT NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
    created_at        TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX group_moderators_group_account ON group_moderators (group_id, staff_account_id);
CREATE INDEX group_moderators_account ON group_moderators (staff_account_id);

-- RSA keys of local actors. The key's IRI is the owner's actor IRI + '#' + key_suffix. A retired key
-- stays so signatures made with it can still be explained; exactly one key per owner is active
-- (retired_at IS NULL), enforced by the two partial unique indexes below: one per group, and one
-- for the instance actor (group_id is NULL there, and NULLs never collide in a unique index, hence
-- the index on the constant owner_kind instead).
CREATE TABLE signing_keys (
    id           TEXT PRIMARY KEY NOT NULL,
    owner_kind   TEXT NOT NULL CHECK (owner_kind IN ('group', 'instance')),
    group_id     TEXT REFERENCES groups (id) ON DELETE CASCADE,
    key_suffix   TEXT NOT NULL,
    public_pem   TEXT NOT NULL,
    private_pem  TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    retired_at   TIMESTAMP,
    CHECK ((owner_kind = 'group' AND group_id IS NOT NULL) OR (owner_kind = 'instance' AND group_id IS NULL))
);
CREATE UNIQUE INDEX signing_keys_active_group ON signing_keys (group_id) WHERE retired_at IS NULL;
CREATE UNIQUE INDEX signing_keys_active_instance ON signing_keys (owner_kind)
    WHERE owner_kind = 'instance' AND retired_at IS NULL;

-- Cached documents of actors on other servers, with the key that verifies their signatures.
-- gone_at is set when the actor was deleted or answers 410; the row stays for the history.
CREATE TABLE remote_actors (
    id                  TEXT PRIMARY KEY NOT NULL,
    iri                 TEXT NOT NULL,
    host                TEXT NOT NULL,
    actor_type          TEXT NOT NULL,
    preferred_username  TEXT NOT NULL DEFAULT '',
    display_name        TEXT NOT NULL DEFAULT '',
    summary             TEXT NOT NULL DEFAULT '',
    inbox_url           TEXT NOT NULL,
    shared_inbox_url    TEXT NOT NULL DEFAULT '',
    outbox_url          TEXT NOT NULL DEFAULT '',
    followers_url       TEXT NOT NULL DEFAULT '',
    url                 TEXT NOT NULL DEFAULT '',
    icon_url            TEXT NOT NULL DEFAULT '',
    public_key_id       TEXT NOT NULL DEFAULT '',
    public_key_pem      TEXT NOT NULL DEFAULT '',
    raw_document        TEXT NOT NULL DEFAULT '',
    fetched_at          TIMESTAMP NOT NULL,
    gone_at             TIMESTAMP,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX remote_actors_iri ON remote_actors (iri);
-- host first: serves "every actor of a host" (domain blocks, fan-out) and handle lookups.
CREATE INDEX remote_actors_host_username ON remote_actors (host, preferred_username);
-- signature verification looks actors up by the keyId of the request.
CREATE INDEX remote_actors_public_key_id ON remote_actors (public_key_id);

CREATE TABLE follows (
    id                   TEXT PRIMARY KEY NOT NULL,
    group_id             TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    remote_actor_id      TEXT NOT NULL REFERENCES remote_actors (id) ON DELETE CASCADE,
    follow_activity_iri  TEXT NOT NULL,
    state                TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected')),
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX follows_group_actor ON follows (group_id, remote_actor_id);
CREATE INDEX follows_group_state ON follows (group_id, state, created_at);
CREATE INDEX follows_actor ON follows (remote_actor_id);
CREATE INDEX follows_activity ON follows (follow_activity_iri);

-- A post in a group: a remote member's object (author_kind 'remote', author_actor_id set) or one the
-- group wrote itself (author_kind 'group', created_by_staff_id says which staff member wrote it).
-- context_iri is the conversation the object declares; thread_root_iri is the top post of the
-- thread as Kring resolved it, which may be a post not in this group.
CREATE TABLE posts (
    id                     TEXT PRIMARY KEY NOT NULL,
    group_id               TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    object_iri             TEXT NOT NULL,
    author_kind            TEXT NOT NULL CHECK (author_kind IN ('remote', 'group')),
    author_actor_id        TEXT REFERENCES remote_actors (id) ON DELETE CASCADE,
    created_by_staff_id    TEXT REFERENCES staff_accounts (id) ON DELETE SET NULL,
    object_type            TEXT NOT NULL,
    content_html           TEXT NOT NULL DEFAULT '',
    summary                TEXT NOT NULL DEFAULT '',
    url                    TEXT NOT NULL DEFAULT '',
    in_reply_to_iri        TEXT NOT NULL DEFAULT '',
    context_iri            TEXT NOT NULL DEFAULT '',
    thread_root_iri        TEXT NOT NULL DEFAULT '',
    visibility             TEXT NOT NULL CHECK (visibility IN ('public', 'unlisted', 'followers', 'direct')),
    state                  TEXT NOT NULL CHECK (state IN ('visible', 'held', 'removed', 'declined')),
    published_at           TIMESTAMP NOT NULL,
    edited_at              TIMESTAMP,
    announce_activity_iri  TEXT,
    pinned_at              TIMESTAMP,
    removed_reason         TEXT NOT NULL DEFAULT '',
    removed_at             TIMESTAMP,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL,
    CHECK ((author_kind = 'remote' AND author_actor_id IS NOT NULL)
        OR (author_kind = 'group' AND author_actor_id IS NULL))
);
CREATE UNIQUE INDEX posts_object_iri ON posts (object_iri);
-- NULLs are distinct in unique indexes on both engines, so posts not yet announced never collide.
CREATE UNIQUE INDEX posts_announce_activity_iri ON posts (announce_activity_iri);
-- The public page and the outbox list a group's recent visible posts; the moderation queue lists
-- held ones: both are (group, state) ordered by time.
CREATE INDEX posts_group_state_published ON posts (group_id, state, published_at);
CREATE INDEX posts_author ON posts (author_actor_id);
CREATE INDEX posts_thread_root ON posts (thread_root_iri);
CREATE INDEX posts_in_reply_to ON posts (in_reply_to_iri);

-- The durable inbox: an activity is acknowledged only once its row is committed; a task processes it.
CREATE TABLE inbound_activities (
    id             TEXT PRIMARY KEY NOT NULL,
    activity_iri   TEXT NOT NULL,
    actor_iri      TEXT NOT NULL,
    activity_type  TEXT NOT NULL,
    group_id       TEXT REFERENCES groups (id) ON DELETE CASCADE,
    raw_body       TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('pending', 'processed', 'ignored', 'failed')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    error          TEXT NOT NULL DEFAULT '',
    received_at    TIMESTAMP NOT NULL,
    processed_at   TIMESTAMP
);
CREATE UNIQUE INDEX inbound_activities_activity_iri ON inbound_activities (activity_iri);
CREATE INDEX inbound_activities_state ON inbound_activities (state, received_at);

-- An activity Kring sends, serialized once however many inboxes it goes to.
CREATE TABLE outbound_activities (
    id             TEXT PRIMARY KEY NOT NULL,
    activity_iri   TEXT NOT NULL,
    actor_kind     TEXT NOT NULL CHECK (actor_kind IN ('group', 'instance')),
    group_id       TEXT REFERENCES groups (id) ON DELETE CASCADE,
    activity_type  TEXT NOT NULL,
    body           TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    CHECK ((actor_kind = 'group' AND group_id IS NOT NULL) OR (actor_kind = 'instance' AND group_id IS NULL))
);
CREATE UNIQUE INDEX outbound_activities_activity_iri ON outbound_activities (activity_iri);
CREATE INDEX outbound_activities_group ON outbound_activities (group_id, created_at);

-- The delivery outbox: one row per (activity, target inbox), written in the transaction that caused
-- the activity. 'failed' is a permanent refusal (a 4xx other than 429); 'abandoned' means retries ran
-- out.
CREATE TABLE deliveries (
    id                      TEXT PRIMARY KEY NOT NULL,
    outbound_activity_id    TEXT NOT NULL REFERENCES outbound_activities (id) ON DELETE CASCADE,
    inbox_url               TEXT NOT NULL,
    host                    TEXT NOT NULL,
    state                   TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'abandoned')),
    attempts                INTEGER NOT NULL DEFAULT 0,
    next_attempt_at         TIMESTAMP NOT NULL,
    last_status             INTEGER NOT NULL DEFAULT 0,
    last_error              TEXT NOT NULL DEFAULT '',
    delivered_at            TIMESTAMP,
    created_at              TIMESTAMP NOT NULL,
    updated_at              TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX deliveries_activity_inbox ON deliveries (outbound_activity_id, inbox_url);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_host_state ON deliveries (host, state);

-- The circuit breaker: a host that keeps failing is marked unreachable and only probed at
-- next_probe_at, instead of every delivery to it retrying on its own.
CREATE TABLE remote_hosts (
    id                    TEXT PRIMARY KEY NOT NULL,
    host                  TEXT NOT NULL,
    consecutive_failures  INTEGER NOT NULL DEFAULT 0,
    total_failures        BIGINT NOT NULL DEFAULT 0,
    total_successes       BIGINT NOT NULL DEFAULT 0,
    unreachable_since     TIMESTAMP,
    next_probe_at         TIMESTAMP,
    last_success_at       TIMESTAMP,
    last_failure_at       TIMESTAMP,
    last_error            TEXT NOT NULL DEFAULT '',
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX remote_hosts_host ON remote_hosts (host);

-- organisation_id NULL means the block holds instance-wide (set by an instance admin). A unique
-- index on (organisation_id, domain) would let any number of instance-wide rows for one domain in,
-- because NULLs never collide; so uniqueness is two partial indexes, one per kind of block. Both
-- engines support partial indexes, and a NULL keeps the foreign key honest where a sentinel
-- organisation id could not.
CREATE TABLE domain_blocks (
    id                   TEXT PRIMARY KEY NOT NULL,
    organisation_id      TEXT REFERENCES organisations (id) ON DELETE CASCADE,
    domain               TEXT NOT NULL,
    severity             TEXT NOT NULL CHECK (severity IN ('suspend', 'silence')),
    reason               TEXT NOT NULL DEFAULT '',
    public_comment       TEXT NOT NULL DEFAULT '',
    created_by_staff_id  TEXT REFERENCES staff_accounts (id) ON DELETE SET NULL,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX domain_blocks_organisation_domain ON domain_blocks (organisation_id, domain)
    WHERE organisation_id IS NOT NULL;
CREATE UNIQUE INDEX domain_blocks_instance_domain ON domain_blocks (domain)
    WHERE organisation_id IS NULL;
-- the inbox checks a sender's domain against every block before anything else.
CREATE INDEX domain_blocks_domain ON domain_blocks (domain);

-- block_activity_iri is the Block Kring federated, kept so an unban can Undo exactly that activity.
CREATE TABLE group_bans (
    id                   TEXT PRIMARY KEY NOT NULL,
    group_id             TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    remote_actor_id      TEXT NOT NULL REFERENCES remote_actors (id) ON DELETE CASCADE,
    reason               TEXT NOT NULL DEFAULT '',
    block_activity_iri   TEXT NOT NULL DEFAULT '',
    created_by_staff_id  TEXT REFERENCES staff_accounts (id) ON DELETE SET NULL,
    expires_at           TIMESTAMP,
    created_at           TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX group_bans_group_actor ON group_bans (group_id, remote_actor_id);
CREATE INDEX group_bans_actor ON group_bans (remote_actor_id);

-- The append-only audit log: who (staff_account_id; NULL for Kring itself), did what (action, such as
-- 'group.create'), to what (target_kind, target_id, kept as text so the entry survives its target),
-- and why. The store offers no update or delete for it. References become NULL rather than erasing
-- history when what they point to is deleted.
CREATE TABLE moderation_actions (
    id                TEXT PRIMARY KEY NOT NULL,
    organisation_id   TEXT REFERENCES organisations (id) ON DELETE SET NULL,
    group_id          TEXT REFERENCES groups (id) ON DELETE SET NULL,
    staff_account_id  TEXT REFERENCES staff_accounts (id) ON DELETE SET NULL,
    action            TEXT NOT NULL,
    target_kind       TEXT NOT NULL,
    target_id         TEXT NOT NULL,
    reason            TEXT NOT NULL DEFAULT '',
    metadata          TEXT NOT NULL DEFAULT '{}',
    created_at        TIMESTAMP NOT NULL
);
CREATE INDEX moderation_actions_organisation ON moderation_actions (organisation_id, created_at);
CREATE INDEX moderation_actions_group ON moderation_actions (group_id, created_at);
CREATE INDEX moderation_actions_staff ON moderation_actions (staff_account_id, created_at);

-- +goose Down
DROP TABLE moderation_actions;
DROP TABLE group_bans;
DROP TABLE domain_blocks;
DROP TABLE remote_hosts;
DROP TABLE deliveries;
DROP TABLE outbound_activities;
DROP TABLE inbound_activities;
DROP TABLE posts;
DROP TABLE follows;
DROP TABLE remote_actors;
DROP TABLE signing_keys;
DROP TABLE group_moderators;
DROP TABLE groups;
DROP TABLE instance_settings;
DROP TABLE staff_roles;
DROP TABLE staff_accounts;
DROP TABLE organisations;
