package backup

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
)

// Limits bound what a restore writes, so a hostile or broken archive cannot fill the disk.
type Limits struct {
	MaxEntryBytes int64 // one file
	MaxTotalBytes int64 // all files together
	MaxEntries    int
}

// DefaultLimits fit any community one Kring on SQLite serves, with room to spare.
var DefaultLimits = Limits{MaxEntryBytes: 64 << 30, MaxTotalBytes: 256 << 30, MaxEntries: 2_000_000}

// maxManifestBytes bounds the manifest, which is read into memory.
const maxManifestBytes = 64 << 20

// ErrNotEmpty refuses a restore into a directory that holds anything: a restore never overwrites.
var ErrNotEmpty = errors.New("the data directory is not empty")

// ErrRefused marks an archive a restore will not extract: unsafe names or types, too large, or not
// matching its manifest.
var ErrRefused = errors.New("archive refused")

// Restore extracts the archive read from r into dir, which must be empty or not exist yet, and
// returns its manifest; required names files the archive must hold to be a backup at all. It extracts into a staging directory inside dir and moves the files into
// place only once every file matches the manifest's size and SHA-256: on any error dir is left as
// empty as it was found. Only regular files and directories with clean relative names are accepted,
// and every write goes through an os.Root on the staging directory, so nothing lands outside it.
func Restore(r io.Reader, dir string, limits Limits, required ...string) (Manifest, error) {
	if err := requireEmptyDir(dir); err != nil {
		return Manifest{}, err
	}
	staging, err := os.MkdirTemp(dir, ".restore-")
	if err != nil {
		return Manifest{}, fmt.Errorf("create a staging directory in %s: %w", dir, err)
	}
	defer os.RemoveAll(staging)
	manifest, err := extract(r, staging, limits)
	if err != nil {
		return Manifest{}, err
	}
	for _, name := range required {
		if !slices.ContainsFunc(manifest.Files, func(f File) bool { return f.Path == name }) {
			return Manifest{}, fmt.Errorf("%w: the archive has no %s: not a Kring backup", ErrRefused, name)
		}
	}
	entries, err := os.ReadDir(staging)
	if err != nil {
		return Manifest{}, err
	}
	for _, entry := range entries {
		if err := os.Rename(filepath.Join(staging, entry.Name()), filepath.Join(dir, entry.Name())); err != nil {
			return Manifest{}, fmt.Errorf("move %s into place: %w", entry.Name(), err)
		}
	}
	return manifest, nil
}

// requireEmptyDir creates dir when missing and fails when it holds anything.
func requireEmptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return os.MkdirAll(dir, 0o700)
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", dir, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("%w: %s holds %s and more; restore into a new, empty directory", ErrNotEmpty, dir, entries[0].Name())
	}
	return nil
}

// extract writes the archive's files under staging and checks them against the manifest.
func extract(r io.Reader, staging string, limits Limits) (Manifest, error) {
	root, err := os.OpenRoot(staging)
	if err != nil {
		return Manifest{}, err
	}
	defer root.Close()
	gz, err := gzip.NewReader(r)
	if err != nil {
		return Manifest{}, fmt.Errorf("%w: not a gzip file: %w", ErrRefused, err)
	}
	tr := tar.NewReader(gz)
	var (
		written      = map[string]File{}
		manifestBody []byte
		total        int64
		entries      int
		sawManifest  bool
	)
	for {
		header, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Manifest{}, fmt.Errorf("%w: read the archive: %w", ErrRefused, err)
		}
		if entries++; entries > limits.MaxEntries {
			return Manifest{}, fmt.Errorf("%w: more than %d entries", ErrRefused, limits.MaxEntries)
		}
		if err := checkEntryPath(header.Name); err != nil {
			return Manifest{}, fmt.Errorf("%w: %w", ErrRefused, err)
		}
		switch header.Typeflag {
		case tar.TypeDir:
			if err := root.MkdirAll(path.Clean(header.Name), 0o700); err != nil {
				return Manifest{}, fmt.Errorf("create %s: %w", header.Name, err)
			}
			continue
		case tar.TypeReg:
		default:
			return Manifest{}, fmt.Errorf("%w: entry %q is a %s, not a regular file or directory", ErrRefused, header.Name, typeName(header.Typeflag))
		}
		if header.Name == ManifestName {
			if sawManifest || header.Size > maxManifestBytes {
				return Manifest{}, fmt.Errorf("%w: a second or oversized manifest", ErrRefused)
			}
			sawManifest = true
			if manifestBody, err = io.ReadAll(io.LimitReader(tr, maxManifestBytes)); err != nil {
				return Manifest{}, fmt.Errorf("%w: read the manifest: %w", ErrRefused, err)
			}
			continue
		}
		if header.Size < 0 || header.Size > limits.MaxEntryBytes {
			return Manifest{}, fmt.Errorf("%w: entry %q is %d bytes, more than the %d one file may have", ErrRefused, header.Name, header.Size, limits.MaxEntryBytes)
		}
		if total += header.Size; total > limits.MaxTotalBytes {
			return Manifest{}, fmt.Errorf("%w: the files add up to more than %d bytes", ErrRefused, limits.MaxTotalBytes)
		}
		file, err := writeEntry(root, header.Name, tr, header.Size)
		if err != nil {
			return Manifest{}, err
		}
		written[header.Name] = file
	}
	if !sawManifest {
		return Manifest{}, fmt.Errorf("%w: no %s: not a Kring backup", ErrRefused, ManifestName)
	}
	var manifest Manifest
	if err := json.Unmarshal(manifestBody, &manifest); err != nil {
		return Manifest{}, fmt.Errorf("%w: unreadable manifest: %w", ErrRefused, err)
	}
	if manifest.Format != FormatVersion {
		return Manifest{}, fmt.Errorf("%w: backup format %d; this Kring reads format %d", ErrRefused, manifest.Format, FormatVersion)
	}
	return manifest, matchManifest(manifest, written)
}

// writeEntry writes one file, exactly size bytes, refusing to replace one written before.
func writeEntry(root *os.Root, name string, r io.Reader, size int64) (File, error) {
	if dir := path.Dir(name); dir != "." {
		if err := root.MkdirAll(dir, 0o700); err != nil {
			return File{}, fmt.Errorf("create %s: %w", dir, err)
		}
	}
	out, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return File{}, fmt.Errorf("%w: entry %q appears twice", ErrRefused, name)
	}
	if err != nil {
		return File{}, fmt.Errorf("create %s: %w", name, err)
	}
	hash := sha256.New()
	_, err = io.CopyN(io.MultiWriter(out, hash), r, size)
	if closeErr := out.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return File{}, fmt.Errorf("write %s: %w", name, err)
	}
	return File{Path: name, Size: size, SHA256: hex.EncodeToString(hash.Sum(nil))}, nil
}

// matchManifest requires the files extracted and the files listed to be the same, byte for byte.
func matchManifest(manifest Manifest, written map[string]File) error {
	var problems []error
	listed := map[string]bool{}
	for _, want := range manifest.Files {
		listed[want.Path] = true
		got, ok := written[want.Path]
		switch {
		case !ok:
			problems = append(problems, fmt.Errorf("%s is listed but missing", want.Path))
		case got.Size != want.Size || got.SHA256 != want.SHA256:
			problems = append(problems, fmt.Errorf("%s does not match its checksum (sha256 %s, manifest says %s)", want.Path, got.SHA256, want.SHA256))
		}
	}
	var extra []string
	for name := range written {
		if !listed[name] {
			extra = append(extra, name)
		}
	}
	slices.Sort(extra)
	for _, name := range extra {
		problems = append(problems, fmt.Errorf("%s is not listed in the manifest", name))
	}
	if err := errors.Join(problems...); err != nil {
		return fmt.Errorf("%w: the files do not match the manifest: %w", ErrRefused, err)
	}
	return nil
}

func typeName(flag byte) string {
	switch flag {
	case tar.TypeSymlink:
		return "symlink"
	case tar.TypeLink:
		return "hard link"
	case tar.TypeChar, tar.TypeBlock:
		return "device"
	case tar.TypeFifo:
		return "named pipe"
	}
	return fmt.Sprintf("entry of type %q", flag)
}
