-- One Flag may concern several groups (a reported account that is a member of two, posts in two
-- groups): Kring files one report per group, each seen by that group's moderators. A Flag's id is
-- therefore unique per group, not overall; a redelivered Flag still makes no second report.

-- +goose Up
DROP INDEX reports_flag_activity_iri;
CREATE UNIQUE INDEX reports_flag_activity_group ON reports (flag_activity_iri, group_id);

-- +goose Down
-- Fails while two groups' reports share a Flag: remove those first.
DROP INDEX reports_flag_activity_group;
CREATE UNIQUE INDEX reports_flag_activity_iri ON reports (flag_activity_iri);
