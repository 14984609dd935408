-- Every post stored, a member's above all, wrote an entry in each of the posts table's fourteen
-- indexes (issue 11). Three of them gave nothing for it:
--
-- posts_author (author_actor_id) repeats the leading column of posts_author_created
-- (author_actor_id, created_at), which serves every lookup by author, the foreign key's included.
-- posts_publication and posts_campaign held an entry for every post, though only the group's own
-- posts, published from the admin, carry a publication or a campaign: every read of them asks for
-- given ids (= or IN), which a partial index over the posts that have one answers as well, and
-- members' posts, most of the table, no longer enter them.

-- +goose Up
DROP INDEX posts_author;
DROP INDEX posts_publication;
DROP INDEX posts_campaign;
CREATE INDEX posts_publication ON posts (publication_id) WHERE publication_id IS NOT NULL;
CREATE INDEX posts_campaign ON posts (campaign_id) WHERE campaign_id IS NOT NULL;

-- +goose Down
DROP INDEX posts_campaign;
DROP INDEX posts_publication;
CREATE INDEX posts_campaign ON posts (campaign_id);
CREATE INDEX posts_publication ON posts (publication_id);
CREATE INDEX posts_author ON posts (author_actor_id);
