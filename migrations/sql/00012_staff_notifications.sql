-- E-mail for staff: each staff member's choice of notifications (no row: immediately, for anyone
-- with an e-mail address), the lines waiting for her daily digest, the e-mails waiting to be sent
-- (a row per message, written in the transaction of the event that causes it and deleted once the
-- message is sent, so a password reset link stays in the database no longer than it takes to send
-- it), and password reset links, of which only the SHA-256 of the token is kept.

-- +goose Up
CREATE TABLE staff_notification_settings (
    staff_account_id  TEXT PRIMARY KEY NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
    mode              TEXT NOT NULL CHECK (mode IN ('off', 'immediately', 'digest')),
    digest_due_at     TIMESTAMP,
    updated_at        TIMESTAMP NOT NULL
);

CREATE TABLE staff_digest_items (
    id                TEXT PRIMARY KEY NOT NULL,
    staff_account_id  TEXT NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
    summary           TEXT NOT NULL,
    link              TEXT NOT NULL,
    created_at        TIMESTAMP NOT NULL
);
CREATE INDEX staff_digest_items_staff ON staff_digest_items (staff_account_id, created_at);

CREATE TABLE outgoing_emails (
    id          TEXT PRIMARY KEY NOT NULL,
    to_address  TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE password_reset_tokens (
    id                TEXT PRIMARY KEY NOT NULL,
    token_hash        TEXT NOT NULL,
    staff_account_id  TEXT NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
    expires_at        TIMESTAMP NOT NULL,
    used_at           TIMESTAMP,
    created_at        TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX password_reset_tokens_hash ON password_reset_tokens (token_hash);
CREATE INDEX password_reset_tokens_staff ON password_reset_tokens (staff_account_id);

-- +goose Down
DROP TABLE password_reset_tokens;
DROP TABLE outgoing_emails;
DROP TABLE staff_digest_items;
DROP TABLE staff_notification_settings;
