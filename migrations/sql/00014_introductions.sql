-- A group's introductions thread: the group publishes a pinned prompt, members introduce themselves
-- by replying to it (the replies stay in the thread, as replies do), and a moderator can highlight a
-- reply, which announces it to every member. The group keeps which post the prompt is and the words
-- staff wrote for it ({group} not yet replaced, so they can edit them); a post keeps
-- when it was highlighted, so it is announced once however many times the button is pressed.

-- +goose Up
ALTER TABLE groups ADD COLUMN introductions_post_id TEXT REFERENCES posts (id) ON DELETE SET NULL;
ALTER TABLE groups ADD COLUMN introductions_prompt TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN highlighted_at TIMESTAMP;

-- +goose Down
ALTER TABLE posts DROP COLUMN highlighted_at;
ALTER TABLE groups DROP COLUMN introductions_prompt;
ALTER TABLE groups DROP COLUMN introductions_post_id;
