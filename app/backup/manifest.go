// Package backup writes and reads Kring's backup archives: a gzip-compressed tar of the data
// directory's files (the SQLite snapshot and the media) with a manifest that lists every file and
// its SHA-256, so a restore can prove it got back exactly what was saved.
package backup

import (
	"fmt"
	"path"
	"strings"
	"time"
)

// ManifestName is the archive entry that describes the backup. It is written last, when every
// file's checksum is known.
const ManifestName = "manifest.json"

// FormatVersion is the layout of the archive; a restore refuses a format it does not know.
const FormatVersion = 1

// Manifest describes a backup.
type Manifest struct {
	Format        int       `json:"format"`
	KringVersion  string    `json:"kring_version"`
	SchemaVersion int64     `json:"schema_version"` // the highest migration applied to the snapshot
	CreatedAt     time.Time `json:"created_at"`
	Files         []File    `json:"files"`
}

// File is one file of the backup, by its slash-separated path inside the data directory.
type File struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// checkEntryPath refuses any name that could land outside the directory it is restored into, or
// that two systems could read differently: absolute paths, "..", backslashes, empty or unclean names.
func checkEntryPath(name string) error {
	switch {
	case name == "" || name == ".":
		return fmt.Errorf("entry with an empty name")
	case strings.HasPrefix(name, "/"):
		return fmt.Errorf("entry %q has an absolute path", name)
	case strings.ContainsAny(name, "\\\x00:"):
		return fmt.Errorf("entry %q has a backslash, colon or NUL in its name", name)
	case path.Clean(name) != strings.TrimSuffix(name, "/"):
		return fmt.Errorf("entry %q is not a clean relative path", name)
	}
	for _, part := range strings.Split(strings.TrimSuffix(name, "/"), "/") {
		if part == ".." {
			return fmt.Errorf("entry %q climbs out of the data directory with \"..\"", name)
		}
	}
	return nil
}
