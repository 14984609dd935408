-- The support inbox: a member's direct message to a group opens or continues a conversation that
-- staff who moderate the group answer as the group. A conversation belongs to one group and one
-- member; its messages are the member's (object_iri: her Note), the staff's replies (object_iri: the
-- group's Note, sent as a direct message) and internal notes (no object_iri: never federated).
-- A member's message she deleted keeps its row with its content gone (withdrawn_at), so the thread
-- and the staff's replies to it still read in order.

-- +goose Up
CREATE TABLE support_conversations (
    id                 TEXT PRIMARY KEY NOT NULL,
    group_id           TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    remote_actor_id    TEXT NOT NULL REFERENCES remote_actors (id) ON DELETE CASCADE,
    status             TEXT NOT NULL CHECK (status IN ('new', 'open', 'waiting', 'closed')),
    assignee_staff_id  TEXT REFERENCES staff_accounts (id) ON DELETE SET NULL,
    subject            TEXT NOT NULL DEFAULT '',
    report_id          TEXT REFERENCES reports (id) ON DELETE SET NULL,
    last_message_at    TIMESTAMP NOT NULL,
    closed_at          TIMESTAMP,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
CREATE INDEX support_conversations_group_status ON support_conversations (group_id, status, last_message_at);
CREATE INDEX support_conversations_member ON support_conversations (group_id, remote_actor_id, last_message_at);
CREATE INDEX support_conversations_actor ON support_conversations (remote_actor_id);

CREATE TABLE support_messages (
    id                TEXT PRIMARY KEY NOT NULL,
    conversation_id   TEXT NOT NULL REFERENCES support_conversations (id) ON DELETE CASCADE,
    group_id          TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    kind              TEXT NOT NULL CHECK (kind IN ('member', 'reply', 'note')),
    object_iri        TEXT,
    activity_iri      TEXT,
    in_reply_to_iri   TEXT NOT NULL DEFAULT '',
    content_html      TEXT NOT NULL,
    staff_account_id  TEXT REFERENCES staff_accounts (id) ON DELETE SET NULL,
    edited_at         TIMESTAMP,
    withdrawn_at      TIMESTAMP,
    created_at        TIMESTAMP NOT NULL
);
-- One row per Note and group: a redelivered message is not a second message.
CREATE UNIQUE INDEX support_messages_group_object ON support_messages (group_id, object_iri);
CREATE INDEX support_messages_conversation ON support_messages (conversation_id, created_at);
CREATE INDEX support_messages_object ON support_messages (object_iri);

-- Saved replies: texts an organisation's staff answer common questions with.
CREATE TABLE saved_replies (
    id                   TEXT PRIMARY KEY NOT NULL,
    organisation_id      TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    title                TEXT NOT NULL,
    body                 TEXT NOT NULL,
    created_by_staff_id  TEXT REFERENCES staff_accounts (id) ON DELETE SET NULL,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX saved_replies_organisation_title ON saved_replies (organisation_id, title);

-- A member's history (on a support conversation, on her member page) reads the log about her.
CREATE INDEX moderation_actions_target ON moderation_actions (target_id, created_at);

-- +goose Down
DROP INDEX moderation_actions_target;
DROP TABLE saved_replies;
DROP TABLE support_messages;
DROP TABLE support_conversations;
