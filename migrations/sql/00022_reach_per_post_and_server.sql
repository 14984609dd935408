-- Reach per post and per server, kept as deliveries settle (like 00021's rollups): the group's
-- Analytics tab reads how many servers each post reached and which servers the group could not reach
-- from a few rollup rows, never from the deliveries themselves.
--
-- outbound_activities.post_id names the post an activity is about (the group's Create or Update of its
-- own post, its Announces of a member's post); NULL for everything else (Accepts, welcomes, Undos ...).
-- It is SET NULL when the post goes, so an activity and its deliveries outlive the post; its index
-- serves that SET NULL, which would otherwise read the whole outbox for each deleted post.
--
-- post_delivery_daily_stats is a table of its own rather than three more columns on post_daily_stats:
-- engagement rows are written on the inbox path (a like, a boost) and delivery rows by every settle
-- of a fan-out, so keeping them apart keeps those writers off each other's row locks, and a post that
-- was only delivered never shows among the top posts with nothing but zeros.
--
-- server_daily_stats is keyed (group_id, day, host) so that a period's read is one range of the
-- primary key. It keeps settled outcomes only: an attempt that will be retried reached nobody yet.

-- +goose Up
ALTER TABLE outbound_activities ADD COLUMN post_id TEXT REFERENCES posts (id) ON DELETE SET NULL;
CREATE INDEX outbound_activities_post ON outbound_activities (post_id);

CREATE TABLE post_delivery_daily_stats (
    post_id               TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    day                   TEXT NOT NULL,
    group_id              TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    deliveries_attempted  BIGINT NOT NULL DEFAULT 0,
    deliveries_succeeded  BIGINT NOT NULL DEFAULT 0,
    deliveries_failed     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (post_id, day)
);
CREATE INDEX post_delivery_daily_stats_group_day ON post_delivery_daily_stats (group_id, day);

CREATE TABLE server_daily_stats (
    group_id              TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    day                   TEXT NOT NULL,
    host                  TEXT NOT NULL,
    deliveries_succeeded  BIGINT NOT NULL DEFAULT 0,
    deliveries_failed     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, day, host)
);

-- +goose Down
DROP TABLE server_daily_stats;
DROP TABLE post_delivery_daily_stats;
DROP INDEX outbound_activities_post;
ALTER TABLE outbound_activities DROP COLUMN post_id;
