-- Community health, counted as events happen like the rest of the daily rollups (00021): per group
-- and UTC day, the posts held for review, declined and removed; the reports received, resolved and
-- dismissed; the support conversations opened and closed, and each conversation's first staff reply
-- (how many, and the seconds they took together, so an average over any days is sum / count).
--
-- Reports are also counted per organisation, every report (organisation_daily_stats): a report
-- whose group is gone (reports.group_id is set to NULL when a group is deleted, and the group's
-- rollups go with it) still counts where the organisation's totals are read, and those totals are
-- one range read instead of a sum over groups that may no longer exist.

-- +goose Up
ALTER TABLE group_daily_stats ADD COLUMN posts_held BIGINT NOT NULL DEFAULT 0;
ALTER TABLE group_daily_stats ADD COLUMN posts_declined BIGINT NOT NULL DEFAULT 0;
ALTER TABLE group_daily_stats ADD COLUMN posts_removed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE group_daily_stats ADD COLUMN reports_received BIGINT NOT NULL DEFAULT 0;
ALTER TABLE group_daily_stats ADD COLUMN reports_resolved BIGINT NOT NULL DEFAULT 0;
ALTER TABLE group_daily_stats ADD COLUMN reports_dismissed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE group_daily_stats ADD COLUMN support_opened BIGINT NOT NULL DEFAULT 0;
ALTER TABLE group_daily_stats ADD COLUMN support_closed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE group_daily_stats ADD COLUMN support_first_replies BIGINT NOT NULL DEFAULT 0;
ALTER TABLE group_daily_stats ADD COLUMN support_first_reply_seconds BIGINT NOT NULL DEFAULT 0;

CREATE TABLE organisation_daily_stats (
    organisation_id    TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    day                TEXT NOT NULL,
    reports_received   BIGINT NOT NULL DEFAULT 0,
    reports_resolved   BIGINT NOT NULL DEFAULT 0,
    reports_dismissed  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (organisation_id, day)
);

-- +goose Down
DROP TABLE organisation_daily_stats;
ALTER TABLE group_daily_stats DROP COLUMN support_first_reply_seconds;
ALTER TABLE group_daily_stats DROP COLUMN support_first_replies;
ALTER TABLE group_daily_stats DROP COLUMN support_closed;
ALTER TABLE group_daily_stats DROP COLUMN support_opened;
ALTER TABLE group_daily_stats DROP COLUMN reports_dismissed;
ALTER TABLE group_daily_stats DROP COLUMN reports_resolved;
ALTER TABLE group_daily_stats DROP COLUMN reports_received;
ALTER TABLE group_daily_stats DROP COLUMN posts_removed;
ALTER TABLE group_daily_stats DROP COLUMN posts_declined;
ALTER TABLE group_daily_stats DROP COLUMN posts_held;
