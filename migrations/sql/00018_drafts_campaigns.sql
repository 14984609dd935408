-- Outreach work: drafts of group posts, their review, scheduling, and campaigns.
--
-- A campaign is an organisation's named set of posts and events across groups and dates, with a
-- hashtag its posts carry. Posts and events published in a campaign name it (campaign_id).
--
-- A post draft is written once for one or more groups of an organisation (post_draft_groups) and
-- goes out as one publication: each group publishes its own post to its own followers, and the posts
-- carry the draft's id as their publication_id. Its content (text, content warning, language,
-- images, pin) is kept as the JSON of the writer's form (content), so the form and the draft never
-- drift apart. state: draft (being written), in_review (waits for a second staff member's approval,
-- when the organisation requires review), scheduled (goes out at publish_at, by a task recorded in
-- the task outbox when it was scheduled), published. revision rises with every change of the
-- content: an approval is of one revision, and an edit after it asks for a new one.
-- post_draft_reviews is the draft's conversation and log: comments, approvals, requests for changes.

-- +goose Up
CREATE TABLE campaigns (
    id                   TEXT PRIMARY KEY NOT NULL,
    organisation_id      TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    name                 TEXT NOT NULL,
    hashtag              TEXT NOT NULL DEFAULT '',
    description          TEXT NOT NULL DEFAULT '',
    starts_on            TIMESTAMP,
    ends_on              TIMESTAMP,
    created_by_staff_id  TEXT REFERENCES staff_accounts (id) ON DELETE SET NULL,
    archived_at          TIMESTAMP,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX campaigns_organisation_name ON campaigns (organisation_id, name);

ALTER TABLE posts ADD COLUMN campaign_id TEXT REFERENCES campaigns (id) ON DELETE SET NULL;
CREATE INDEX posts_campaign ON posts (campaign_id);
ALTER TABLE events ADD COLUMN campaign_id TEXT REFERENCES campaigns (id) ON DELETE SET NULL;
CREATE INDEX events_campaign ON events (campaign_id);

ALTER TABLE organisations ADD COLUMN require_review BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE post_drafts (
    id                TEXT PRIMARY KEY NOT NULL,
    organisation_id   TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    author_staff_id   TEXT REFERENCES staff_accounts (id) ON DELETE SET NULL,
    campaign_id       TEXT REFERENCES campaigns (id) ON DELETE SET NULL,
    content           TEXT NOT NULL,
    state             TEXT NOT NULL CHECK (state IN ('draft', 'in_review', 'scheduled', 'published')),
    revision          INTEGER NOT NULL DEFAULT 1,
    publish_at        TIMESTAMP,
    time_zone         TEXT NOT NULL DEFAULT 'UTC',
    published_at      TIMESTAMP,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX post_drafts_organisation_state ON post_drafts (organisation_id, state, publish_at);
CREATE INDEX post_drafts_campaign ON post_drafts (campaign_id);

CREATE TABLE post_draft_groups (
    draft_id  TEXT NOT NULL REFERENCES post_drafts (id) ON DELETE CASCADE,
    group_id  TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    PRIMARY KEY (draft_id, group_id)
);
CREATE INDEX post_draft_groups_group ON post_draft_groups (group_id);

CREATE TABLE post_draft_reviews (
    id                TEXT PRIMARY KEY NOT NULL,
    draft_id          TEXT NOT NULL REFERENCES post_drafts (id) ON DELETE CASCADE,
    staff_account_id  TEXT REFERENCES staff_accounts (id) ON DELETE SET NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('comment', 'approve', 'request_changes', 'submit', 'schedule', 'cancel', 'publish')),
    revision          INTEGER NOT NULL,
    body              TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMP NOT NULL
);
CREATE INDEX post_draft_reviews_draft ON post_draft_reviews (draft_id, created_at);

-- +goose Down
DROP TABLE post_draft_reviews;
DROP TABLE post_draft_groups;
DROP TABLE post_drafts;
ALTER TABLE organisations DROP COLUMN require_review;
DROP INDEX events_campaign;
ALTER TABLE events DROP COLUMN campaign_id;
DROP INDEX posts_campaign;
ALTER TABLE posts DROP COLUMN campaign_id;
DROP TABLE campaigns;
