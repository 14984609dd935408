// Package e2e drives the real Kring (serve and worker on PostgreSQL and Redis, federating with the
// Fedify peer of test/interop) from headless Chromium, as a moderator would: log in, answer a follow
// request, work through the queue, resolve a report, ban a member. Each step is checked in the page
// the browser shows, and the main pages are saved as full-page screenshots under screenshots/.
// scripts/test installs Debian's chromium; the tests fail, never skip, when it is missing.
package e2e
