package groups

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// PostPicturesBefore lists the posts' pictures in m last written before cutoff: the candidates of
// a sweep of pictures nothing uses any more.
func (m MediaFiles) PostPicturesBefore(cutoff time.Time) ([]string, error) {
	entries, err := os.ReadDir(m.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list the media directory: %w", err)
	}
	var names []string
	for _, entry := range entries {
		if !entry.Type().IsRegular() || !ValidPostMediaName(entry.Name()) {
			continue
		}
		info, err := entry.Info()
		if err != nil {
			continue // removed meanwhile
		}
		if info.ModTime().Before(cutoff) {
			names = append(names, entry.Name())
		}
	}
	return names, nil
}

// RemovePostPicture deletes a post's picture from m; one already gone is no error.
func (m MediaFiles) RemovePostPicture(name string) error {
	if !ValidPostMediaName(name) {
		return fmt.Errorf("remove %q: not the name of a post's picture", name)
	}
	if err := os.Remove(filepath.Join(m.Dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove picture %s: %w", name, err)
	}
	return nil
}
