-- Login throttling reserves an attempt before it hashes the password: login_failures gets a row
-- before each check (deleted again when the password was right), so parallel guesses cannot all
-- pass the count before any is recorded. The password page's check of the current password is
-- throttled the same way; purpose tells the two apart.

-- +goose Up
ALTER TABLE login_failures ADD COLUMN purpose TEXT NOT NULL DEFAULT 'login';

-- +goose Down
ALTER TABLE login_failures DROP COLUMN purpose;
