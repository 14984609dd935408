// Package testenv gives tests the real services Kring runs on, each isolated so test packages can
// run in parallel: a PostgreSQL schema of the test's own (Postgres), a SQLite file in the test's
// temporary directory (SQLite), both migrated, ForEachDatabase to run one test on both engines, and a
// claimed Redis database (Redis). When PostgreSQL or Redis cannot be reached the test fails with what
// to do; nothing is skipped.
package testenv
