-- Reach per server, one row per (group, server) instead of one per (group, day, server).
--
-- The Analytics pages' periods always end today (7, 30 or 90 days), so "the servers the group
-- reached in the period" are those whose last success for the group falls in it, and "the servers
-- it did not reach" are those that failed in it and have no success in it. Reading those from
-- server_daily_stats (00022) meant summing a row per day and server, about 90,000 rows for 90 days
-- of a group that sends to 1,000 servers, twice a page view; server_reach answers the same questions
-- from at most one row per server, whatever the period.
--
-- It is kept by the settle that counts the deliveries (one upsert per settle, as before): a success
-- sets last_succeeded_day and resets failures_since_success, a failure for good sets last_failed_day
-- and adds to failures_since_success. Days are UTC 'YYYY-MM-DD' text, so they compare as strings.
--
-- The backfill keeps what server_daily_stats knew: the last day with a success, the last with a
-- failure, and the failures on the days after the last success (failures on that same day cannot be
-- ordered against it, and count as before it). Nothing else read server_daily_stats: it goes, and
-- going Down recreates it empty (its daily detail is not kept here to restore).

-- +goose Up
CREATE TABLE server_reach (
    group_id                TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    host                    TEXT NOT NULL,
    last_succeeded_day      TEXT,
    last_failed_day         TEXT,
    failures_since_success  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, host)
);

INSERT INTO server_reach (group_id, host, last_succeeded_day, last_failed_day, failures_since_success)
SELECT d.group_id, d.host, s.last_succeeded_day, s.last_failed_day,
    SUM(CASE WHEN s.last_succeeded_day IS NULL OR d.day > s.last_succeeded_day THEN d.deliveries_failed ELSE 0 END)
FROM server_daily_stats d
JOIN (SELECT group_id, host,
        MAX(CASE WHEN deliveries_succeeded > 0 THEN day END) AS last_succeeded_day,
        MAX(CASE WHEN deliveries_failed > 0 THEN day END) AS last_failed_day
    FROM server_daily_stats GROUP BY group_id, host) s ON s.group_id = d.group_id AND s.host = d.host
GROUP BY d.group_id, d.host, s.last_succeeded_day, s.last_failed_day;

DROP TABLE server_daily_stats;

-- +goose Down
CREATE TABLE server_daily_stats (
    group_id              TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    day                   TEXT NOT NULL,
    host                  TEXT NOT NULL,
    deliveries_succeeded  BIGINT NOT NULL DEFAULT 0,
    deliveries_failed     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, day, host)
);
DROP TABLE server_reach;
