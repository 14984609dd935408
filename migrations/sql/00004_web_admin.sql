-- The web admin: staff sessions, login throttling, reports, keyword filters.

-- +goose Up

-- A staff member's login. id is the SHA-256 (hex) of the cookie's random token, so a leaked
-- database does not hand out live sessions; csrf_token is the per-session token every form carries.
CREATE TABLE admin_sessions (
    id                TEXT PRIMARY KEY NOT NULL,
    staff_account_id  TEXT NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
    csrf_token        TEXT NOT NULL,
    ip                TEXT NOT NULL DEFAULT '',
    user_agent        TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMP NOT NULL,
    last_seen_at      TIMESTAMP NOT NULL,
    expires_at        TIMESTAMP NOT NULL
);
CREATE INDEX admin_sessions_account ON admin_sessions (staff_account_id);
CREATE INDEX admin_sessions_expires ON admin_sessions (expires_at);

-- Failed logins, counted per e-mail and per address over a window to slow down password guessing
-- across every serve process.
CREATE TABLE login_failures (
    id          TEXT PRIMARY KEY NOT NULL,
    email       TEXT NOT NULL,
    ip          TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, created_at);
CREATE INDEX login_failures_ip ON login_failures (ip, created_at);

-- A report: a Flag another server sent (Mastodon sends them from its instance actor, object = the
-- account and posts, the reason in content) or one staff filed. target_post_iris is a JSON array of
-- object ids. Reports are never deleted: they are resolved or dismissed.
CREATE TABLE reports (
    id                   TEXT PRIMARY KEY NOT NULL,
    organisation_id      TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    group_id             TEXT REFERENCES groups (id) ON DELETE SET NULL,
    source               TEXT NOT NULL CHECK (source IN ('remote', 'staff')),
    flag_activity_iri    TEXT,
    reporter_actor_id    TEXT REFERENCES remote_actors (id) ON DELETE SET NULL,
    reporter_staff_id    TEXT REFERENCES staff_accounts (id) ON DELETE SET NULL,
    target_actor_id      TEXT REFERENCES remote_actors (id) ON DELETE SET NULL,
    target_post_iris     TEXT NOT NULL DEFAULT '[]',
    content              TEXT NOT NULL DEFAULT '',
    status               TEXT NOT NULL CHECK (status IN ('open', 'resolved', 'dismissed')),
    assignee_staff_id    TEXT REFERENCES staff_accounts (id) ON DELETE SET NULL,
    forwarded_at         TIMESTAMP,
    resolved_at          TIMESTAMP,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX reports_flag_activity_iri ON reports (flag_activity_iri);
CREATE INDEX reports_organisation_status ON reports (organisation_id, status, created_at);
CREATE INDEX reports_group_status ON reports (group_id, status);

CREATE TABLE report_notes (
    id                TEXT PRIMARY KEY NOT NULL,
    report_id         TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    staff_account_id  TEXT REFERENCES staff_accounts (id) ON DELETE SET NULL,
    body              TEXT NOT NULL,
    created_at        TIMESTAMP NOT NULL
);
CREATE INDEX report_notes_report ON report_notes (report_id, created_at);

-- Keyword filters of a group: a post whose text matches is held for review or rejected.
CREATE TABLE keyword_filters (
    id                   TEXT PRIMARY KEY NOT NULL,
    group_id             TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    keyword              TEXT NOT NULL,
    whole_word           BOOLEAN NOT NULL DEFAULT TRUE,
    action               TEXT NOT NULL CHECK (action IN ('hold', 'reject')),
    created_by_staff_id  TEXT REFERENCES staff_accounts (id) ON DELETE SET NULL,
    created_at           TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX keyword_filters_group_keyword ON keyword_filters (group_id, keyword);

-- +goose Down
DROP TABLE keyword_filters;
DROP TABLE report_notes;
DROP TABLE reports;
DROP TABLE login_failures;
DROP TABLE admin_sessions;
