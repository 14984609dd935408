-- The hourly sweep of pictures nothing uses any more asks which stored names posts still use.

-- +goose Up
CREATE INDEX post_media_name ON post_media (name);

-- +goose Down
DROP INDEX post_media_name;
