-- Reach and engagement over time, kept as events arrive so the analytics pages read a few rollup rows
-- instead of recounting follows, likes and deliveries on every view. One row per group (or post) and
-- UTC day; each event adds to its row with one upsert in the event's own transaction.
-- day is the UTC date as text 'YYYY-MM-DD': both engines compare it in order and group on it alike,
-- which a TIMESTAMP at midnight would not guarantee through SQLite's text.
-- Engagement (likes, boosts, replies) is kept per post only, with the post's group on the row: a
-- like then costs one statement, and a group's engagement per day is the sum of its posts' rows
-- (served by post_daily_stats_group_day).

-- +goose Up
CREATE TABLE group_daily_stats (
    group_id              TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    day                   TEXT NOT NULL,
    joins                 BIGINT NOT NULL DEFAULT 0,
    leaves                BIGINT NOT NULL DEFAULT 0,
    posts_shared          BIGINT NOT NULL DEFAULT 0,
    group_posts           BIGINT NOT NULL DEFAULT 0,
    deliveries_attempted  BIGINT NOT NULL DEFAULT 0,
    deliveries_succeeded  BIGINT NOT NULL DEFAULT 0,
    deliveries_failed     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, day)
);

CREATE TABLE post_daily_stats (
    post_id   TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    day       TEXT NOT NULL,
    group_id  TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    likes     BIGINT NOT NULL DEFAULT 0,
    boosts    BIGINT NOT NULL DEFAULT 0,
    replies   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (post_id, day)
);
CREATE INDEX post_daily_stats_group_day ON post_daily_stats (group_id, day);

-- +goose Down
DROP TABLE post_daily_stats;
DROP TABLE group_daily_stats;
