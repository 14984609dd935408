-- A group's rules are also a post of the group's, pinned in its featured collection, so Mastodon and
-- others show them on the group's profile. The group keeps which post that is; an edit of the rules
-- edits the post (an Update goes out), emptying them deletes it.

-- +goose Up
ALTER TABLE groups ADD COLUMN rules_post_id TEXT REFERENCES posts (id) ON DELETE SET NULL;

-- +goose Down
ALTER TABLE groups DROP COLUMN rules_post_id;
