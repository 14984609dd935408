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
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"time"
)

// Writer writes one backup archive. Each file is hashed as it is written, so the manifest's
// checksums are of the very bytes in the archive, even if a file changes on disk meanwhile.
type Writer struct {
	gz    *gzip.Writer
	tw    *tar.Writer
	files []File
}

// NewWriter starts an archive on w.
func NewWriter(w io.Writer) *Writer {
	gz := gzip.NewWriter(w)
	return &Writer{gz: gz, tw: tar.NewWriter(gz)}
}

// AddFile adds the file at diskPath under the archive path name.
func (a *Writer) AddFile(name, diskPath string) error {
	if err := checkEntryPath(name); err != nil {
		return err
	}
	f, err := os.Open(diskPath)
	if err != nil {
		return fmt.Errorf("open %s: %w", diskPath, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat %s: %w", diskPath, err)
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", diskPath)
	}
	header := &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: info.Size(), Mode: 0o600,
		ModTime: info.ModTime().UTC().Truncate(time.Second), Format: tar.FormatPAX}
	if err := a.tw.WriteHeader(header); err != nil {
		return fmt.Errorf("archive %s: %w", name, err)
	}
	hash := sha256.New()
	// Exactly the size the header promised: a file growing meanwhile is cut at it, and one
	// shrinking fails the backup instead of writing a broken archive.
	if _, err := io.CopyN(io.MultiWriter(a.tw, hash), f, info.Size()); err != nil {
		return fmt.Errorf("archive %s: %w", name, err)
	}
	a.files = append(a.files, File{Path: name, Size: info.Size(), SHA256: hex.EncodeToString(hash.Sum(nil))})
	return nil
}

// AddTree adds every regular file under dir, below the archive path prefix. Anything else (symlinks,
// sockets) is skipped and named in the result, since a restore would refuse it; a file deleted
// while the walk runs is skipped silently, as it is gone from the community too. A missing dir adds
// nothing.
func (a *Writer) AddTree(prefix, dir string) (skipped []string, err error) {
	err = filepath.WalkDir(dir, func(p string, entry fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if entry.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		name := path.Join(prefix, filepath.ToSlash(rel))
		if !entry.Type().IsRegular() {
			skipped = append(skipped, name)
			return nil
		}
		if err := a.AddFile(name, p); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		return nil
	})
	if err != nil {
		return skipped, fmt.Errorf("archive %s: %w", dir, err)
	}
	return skipped, nil
}

// Close writes the manifest, with the files added, ends the archive and returns the manifest as
// written. It does not close the underlying writer.
func (a *Writer) Close(manifest Manifest) (Manifest, error) {
	manifest.Format = FormatVersion
	manifest.Files = a.files
	body, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		return Manifest{}, fmt.Errorf("write the manifest: %w", err)
	}
	header := &tar.Header{Typeflag: tar.TypeReg, Name: ManifestName, Size: int64(len(body)), Mode: 0o600,
		ModTime: manifest.CreatedAt.UTC().Truncate(time.Second), Format: tar.FormatPAX}
	if err := a.tw.WriteHeader(header); err != nil {
		return Manifest{}, fmt.Errorf("write the manifest: %w", err)
	}
	if _, err := a.tw.Write(body); err != nil {
		return Manifest{}, fmt.Errorf("write the manifest: %w", err)
	}
	if err := a.tw.Close(); err != nil {
		return Manifest{}, fmt.Errorf("end the archive: %w", err)
	}
	if err := a.gz.Close(); err != nil {
		return Manifest{}, fmt.Errorf("end the archive: %w", err)
	}
	return manifest, nil
}
