-- Who needs attention in a group: one row per member and group with when she was first seen and
-- last active, and how much she took part. The rows are kept current by the store in the same
-- transaction as each event (a post, a reply, a like, a follow, a welcome, a support conversation,
-- an introduction), one upsert each, so the admin's lists never recount the group's history.
-- activity (posts + replies + likes given) orders the list of the most active members.
-- The indexes serve the three lists of the Attention page, each paged by keyset (time or activity,
-- then the actor's id): newcomers by first_seen_at, members gone quiet by last_active_at, the most
-- active by activity.

-- +goose Up
CREATE TABLE member_activity (
    group_id               TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    actor_id               TEXT NOT NULL REFERENCES remote_actors (id) ON DELETE CASCADE,
    first_seen_at          TIMESTAMP NOT NULL,
    last_active_at         TIMESTAMP,
    posts                  BIGINT NOT NULL DEFAULT 0,
    replies                BIGINT NOT NULL DEFAULT 0,
    likes_given            BIGINT NOT NULL DEFAULT 0,
    support_conversations  BIGINT NOT NULL DEFAULT 0,
    activity               BIGINT GENERATED ALWAYS AS (posts + replies + likes_given) STORED,
    welcomed_at            TIMESTAMP,
    introduced_at          TIMESTAMP,
    PRIMARY KEY (group_id, actor_id)
);
CREATE INDEX member_activity_first_seen ON member_activity (group_id, first_seen_at, actor_id);
CREATE INDEX member_activity_last_active ON member_activity (group_id, last_active_at, actor_id);
CREATE INDEX member_activity_activity ON member_activity (group_id, activity, actor_id);
CREATE INDEX member_activity_actor ON member_activity (actor_id);

-- Backfill from what is already stored: every follow, post, like, welcome and support conversation
-- of a member in a group is an event; first seen is the earliest, last active the latest that is
-- her taking part (a follow or a welcome is not).
INSERT INTO member_activity (group_id, actor_id, first_seen_at, last_active_at, posts, replies, likes_given,
    support_conversations, welcomed_at)
SELECT group_id, actor_id, MIN(seen_at), MAX(active_at), SUM(posts), SUM(replies), SUM(likes), SUM(support), MIN(welcomed_at)
FROM (
    SELECT group_id, remote_actor_id AS actor_id, created_at AS seen_at, CAST(NULL AS TIMESTAMP) AS active_at,
        0 AS posts, 0 AS replies, 0 AS likes, 0 AS support, CAST(NULL AS TIMESTAMP) AS welcomed_at
    FROM follows
    UNION ALL
    SELECT group_id, author_actor_id, created_at, created_at,
        CASE WHEN in_reply_to_iri = '' THEN 1 ELSE 0 END, CASE WHEN in_reply_to_iri = '' THEN 0 ELSE 1 END, 0, 0,
        CAST(NULL AS TIMESTAMP)
    FROM posts WHERE author_actor_id IS NOT NULL
    UNION ALL
    SELECT posts.group_id, post_likes.remote_actor_id, post_likes.created_at, post_likes.created_at, 0, 0, 1, 0,
        CAST(NULL AS TIMESTAMP)
    FROM post_likes JOIN posts ON posts.id = post_likes.post_id
    UNION ALL
    SELECT group_id, remote_actor_id, sent_at, CAST(NULL AS TIMESTAMP), 0, 0, 0, 0, sent_at
    FROM welcomes
    UNION ALL
    SELECT group_id, remote_actor_id, created_at, created_at, 0, 0, 0, 1, CAST(NULL AS TIMESTAMP)
    FROM support_conversations
) AS events
GROUP BY group_id, actor_id;

-- +goose Down
DROP TABLE member_activity;
