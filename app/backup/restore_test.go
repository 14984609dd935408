package backup_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/backup"
)

// entry is one tar entry of a hand-made archive.
type entry struct {
	header tar.Header
	body   string
}

func file(name, body string) entry {
	return entry{tar.Header{Typeflag: tar.TypeReg, Name: name, Size: int64(len(body)), Mode: 0o600}, body}
}

// manifestOf lists files as a backup would, so an archive differs from a good one only where a test
// makes it.
func manifestOf(files ...entry) entry {
	m := backup.Manifest{Format: backup.FormatVersion, KringVersion: "test", SchemaVersion: 19, CreatedAt: time.Now().UTC()}
	for _, f := range files {
		sum := sha256.Sum256([]byte(f.body))
		m.Files = append(m.Files, backup.File{Path: f.header.Name, Size: int64(len(f.body)), SHA256: hex.EncodeToString(sum[:])})
	}
	body, _ := json.Marshal(m)
	return file(backup.ManifestName, string(body))
}

func archiveOf(t *testing.T, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		header := e.header
		if err := tw.WriteHeader(&header); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Each hostile or broken archive is refused with an error naming the problem, and nothing is
// written: neither beside the target nor in it.
func TestRestoreRefusesHostileArchives(t *testing.T) {
	t.Parallel()
	db := file("kring.db", "the database")
	symlink := entry{header: tar.Header{Typeflag: tar.TypeSymlink, Name: "media/link", Linkname: "/etc/passwd"}}
	hardlink := entry{header: tar.Header{Typeflag: tar.TypeLink, Name: "media/hard", Linkname: "../../evil"}}
	evil := file("../evil", "escaped")
	absolute := file("/tmp/kring-restore-test-evil", "escaped")
	nested := file("media/../../evil", "escaped")
	big := file("media/big.png", strings.Repeat("x", 2048))
	tampered := file("kring.db", "another database")
	cases := []struct {
		name    string
		entries []entry
		want    string
	}{
		{"dot-dot", []entry{db, evil, manifestOf(db, evil)}, `"../evil"`},
		{"dot-dot inside", []entry{db, nested, manifestOf(db, nested)}, "media/../../evil"},
		{"absolute path", []entry{db, absolute, manifestOf(db, absolute)}, "absolute path"},
		{"symlink", []entry{db, symlink, manifestOf(db)}, "symlink"},
		{"hard link", []entry{db, hardlink, manifestOf(db)}, "hard link"},
		{"checksum mismatch", []entry{tampered, manifestOf(db)}, "does not match its checksum"},
		{"file not in the manifest", []entry{db, file("media/extra.png", "x"), manifestOf(db)}, "not listed"},
		{"file missing", []entry{manifestOf(db)}, "listed but missing"},
		{"oversized entry", []entry{db, big, manifestOf(db, big)}, "more than the 1024 one file may have"},
		{"entry twice", []entry{db, db, manifestOf(db)}, "appears twice"},
		{"no manifest", []entry{db}, "not a Kring backup"},
		{"no database", []entry{big, manifestOf(big)}, "has no kring.db"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			parent := t.TempDir()
			target := filepath.Join(parent, "data")
			limits := backup.Limits{MaxEntryBytes: 1024, MaxTotalBytes: 1 << 20, MaxEntries: 100}
			if c.name == "no database" {
				limits.MaxEntryBytes = 4096
			}
			_, err := backup.Restore(bytes.NewReader(archiveOf(t, c.entries...)), target, limits, "kring.db")
			if !errors.Is(err, backup.ErrRefused) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error = %v, want ErrRefused saying %q", err, c.want)
			}
			requireOnly(t, parent, "data")
			requireOnly(t, target)
			if _, err := os.Lstat("/tmp/kring-restore-test-evil"); err == nil {
				t.Error("the absolute path was written")
			}
		})
	}
}

// A good archive restores; a target that holds anything is refused and left as it was.
func TestRestoreOnlyIntoAnEmptyDirectory(t *testing.T) {
	t.Parallel()
	db := file("kring.db", "the database")
	picture := file("media/groups/a.png", "picture")
	archive := archiveOf(t, db, picture, manifestOf(db, picture))

	target := filepath.Join(t.TempDir(), "data")
	manifest, err := backup.Restore(bytes.NewReader(archive), target, backup.DefaultLimits, "kring.db")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(target, "media", "groups", "a.png")); err != nil || string(got) != "picture" {
		t.Errorf("restored picture = %q, %v", got, err)
	}
	if len(manifest.Files) != 2 || manifest.SchemaVersion != 19 {
		t.Errorf("manifest = %+v", manifest)
	}
	requireOnly(t, target, "kring.db", "media")

	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "kring.db"), []byte("live data"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Restore(bytes.NewReader(archive), full, backup.DefaultLimits); !errors.Is(err, backup.ErrNotEmpty) {
		t.Errorf("restore into a full directory: %v, want ErrNotEmpty", err)
	}
	if got, _ := os.ReadFile(filepath.Join(full, "kring.db")); string(got) != "live data" {
		t.Errorf("the existing database was overwritten: %q", got)
	}
	requireOnly(t, full, "kring.db")
}

// A backup written by Writer restores byte for byte.
func TestWriterRoundTrip(t *testing.T) {
	t.Parallel()
	source := t.TempDir()
	if err := os.MkdirAll(filepath.Join(source, "media", "groups"), 0o700); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"kring.db": "database bytes", "media/groups/a.png": "png bytes", "media/b.webp": "webp"}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(source, filepath.FromSlash(name)), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(source, "media", "link")); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := backup.NewWriter(&buf)
	if err := w.AddFile("kring.db", filepath.Join(source, "kring.db")); err != nil {
		t.Fatal(err)
	}
	skipped, err := w.AddTree("media", filepath.Join(source, "media"))
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) != 1 || skipped[0] != "media/link" {
		t.Errorf("skipped = %v, want the symlink", skipped)
	}
	if _, err := w.Close(backup.Manifest{KringVersion: "test", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "data")
	manifest, err := backup.Restore(&buf, target, backup.DefaultLimits, "kring.db")
	if err != nil {
		t.Fatal(err)
	}
	if len(manifest.Files) != len(files) {
		t.Errorf("manifest lists %d files, want %d", len(manifest.Files), len(files))
	}
	for name, body := range files {
		if got, err := os.ReadFile(filepath.Join(target, filepath.FromSlash(name))); err != nil || string(got) != body {
			t.Errorf("%s = %q, %v; want %q", name, got, err, body)
		}
	}
}

// requireOnly fails unless dir holds exactly names.
func requireOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("%s holds %v, want %v", dir, got, names)
	}
}
