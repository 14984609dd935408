package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// seededDataDir is a data directory of the embedded default holding a testenv.Community.
func seededDataDir(t *testing.T) (string, testenv.Community) {
	t.Helper()
	dataDir := t.TempDir()
	st := openDataDir(t, dataDir)
	testenv.Migrate(t, st)
	community := testenv.SeedCommunity(t, st, filepath.Join(dataDir, "media"))
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return dataDir, community
}

func openDataDir(t *testing.T, dataDir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// A backup taken while Kring runs on the data directory restores into a new one with the group's
// key, followers, posts and picture intact; a second restore into the now full directory is refused.
func TestBackupWhileRunningRestoresTheCommunity(t *testing.T) {
	t.Parallel()
	dataDir, community := seededDataDir(t)
	running := testenv.StartKring(t, map[string]string{"KRING_DATA_DIR": dataDir})
	running.WaitListening(t)

	archive := filepath.Join(t.TempDir(), "kring-backup.tar.gz")
	code, out := testenv.RunKring(t, map[string]string{"KRING_DATA_DIR": dataDir}, "backup", "--to", archive)
	if code != 0 {
		t.Fatalf("kring backup exited %d: %s", code, out)
	}
	if !regexp.MustCompile(`backup written to .* schema version \d+ and 1 media file`).MatchString(out) {
		t.Errorf("backup's report: %q", out)
	}
	if code := running.Stop(t); code != 0 {
		t.Fatalf("the running kring exited %d", code)
	}
	if code, _ := testenv.RunKring(t, map[string]string{"KRING_DATA_DIR": dataDir}, "backup", "--to", archive); code != exitConflict {
		t.Errorf("a backup onto an existing file exited %d, want %d", code, exitConflict)
	}

	restored := filepath.Join(t.TempDir(), "restored")
	code, out = testenv.RunKring(t, map[string]string{"KRING_DATA_DIR": restored}, "restore", "--from", archive)
	if code != 0 {
		t.Fatalf("kring restore exited %d: %s", code, out)
	}
	st := openDataDir(t, restored)
	testenv.RequireCommunity(t, st, community)
	picture, err := os.ReadFile(filepath.Join(restored, "media", community.MediaPath))
	if err != nil || !bytes.Equal(picture, community.MediaBytes) {
		t.Errorf("the group's picture did not come back intact (%v)", err)
	}

	again := testenv.StartKring(t, map[string]string{"KRING_DATA_DIR": restored}, "restore", "--from", archive)
	if code := again.Wait(t); code != exitConflict || !strings.Contains(again.Stderr(), "not empty") {
		t.Errorf("a restore into a full directory exited %d (want %d): %s", code, exitConflict, again.Stderr())
	}
}

// On PostgreSQL kring backup refuses and shows the pg_dump command instead.
func TestBackupOnPostgresPointsToPgDump(t *testing.T) {
	t.Parallel()
	p := testenv.StartKring(t, map[string]string{"KRING_DATA_DIR": t.TempDir(), "KRING_DATABASE_URL": "postgres://kring@127.0.0.1:1/kring"},
		"backup", "--to", filepath.Join(t.TempDir(), "b.tar.gz"))
	if code := p.Wait(t); code != exitUsage || !strings.Contains(p.Stderr(), "pg_dump --format=custom") {
		t.Errorf("kring backup on PostgreSQL exited %d: %s", code, p.Stderr())
	}
}
