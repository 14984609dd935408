-- What a group's own post carries beyond its text, as Mastodon's statuses do: the text as staff
-- wrote it (source_text: its HTML shows a mention as @user, so the text is kept to edit), its language, up to
-- four pictures with alt text (post_media, in the order the writer gave them), the hashtags it uses
-- (post_hashtags: the group's page lists a group's posts by tag, so the tag leads its index) and
-- the accounts it mentions (post_mentions: named in the Note's tags and cc when it is served again).
-- A picture names a file Kring made in the media directory; the file outlives its rows (a scheduled
-- draft may still name it).

-- +goose Up
ALTER TABLE posts ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN source_text TEXT NOT NULL DEFAULT '';

CREATE TABLE post_media (
    post_id     TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    alt         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (post_id, position)
);

CREATE TABLE post_hashtags (
    post_id  TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag      TEXT NOT NULL,
    name     TEXT NOT NULL,
    PRIMARY KEY (post_id, tag)
);
CREATE INDEX post_hashtags_tag ON post_hashtags (tag, post_id);

CREATE TABLE post_mentions (
    post_id    TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    actor_iri  TEXT NOT NULL,
    name       TEXT NOT NULL,
    PRIMARY KEY (post_id, actor_iri)
);

-- +goose Down
DROP TABLE post_mentions;
DROP INDEX post_hashtags_tag;
DROP TABLE post_hashtags;
DROP TABLE post_media;
ALTER TABLE posts DROP COLUMN source_text;
ALTER TABLE posts DROP COLUMN language;
