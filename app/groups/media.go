package groups

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// MediaFiles is the directory where Kring keeps the pictures it made of uploads, served publicly at
// /media/<name>. Names are random: nobody can guess or overwrite another group's picture, and a
// changed picture has a new name, so caches that keep pictures for a year never show the old one.
type MediaFiles struct {
	Dir string
}

// MediaURLPath is where pictures are served publicly: MediaURLPath + name.
const MediaURLPath = "/media/"

var mediaName = regexp.MustCompile(`^(` + postMediaPrefix + `)?[0-9a-f]{32}\.(png|jpg)$`)

// postMediaPrefix starts the names of posts' pictures, so that a post can name only those.
const postMediaPrefix = "post-"

// ValidMediaName reports whether name is one Kring gives its pictures, so that a name from a URL can
// never reach outside the directory.
func ValidMediaName(name string) bool { return mediaName.MatchString(name) }

// ValidPostMediaName reports whether name is one Kring gives posts' pictures: a form that names a
// picture for a post can name no other file, not even a group's avatar.
func ValidPostMediaName(name string) bool {
	return strings.HasPrefix(name, postMediaPrefix) && ValidMediaName(name)
}

// MediaType is the media type of a picture by its name, "" for names Kring does not give.
func MediaType(name string) string {
	switch {
	case !ValidMediaName(name):
		return ""
	case strings.HasSuffix(name, ".png"):
		return "image/png"
	default:
		return "image/jpeg"
	}
}

// save writes a picture under a new random name and returns the name. The file appears whole or not
// at all: it is written aside, then renamed into place.
func (m MediaFiles) save(picture preparedImage, prefix string) (string, error) {
	if m.Dir == "" {
		return "", errors.New("save picture: no media directory configured")
	}
	if err := os.MkdirAll(m.Dir, 0o755); err != nil {
		return "", fmt.Errorf("create media directory: %w", err)
	}
	var random [16]byte
	if _, err := rand.Read(random[:]); err != nil {
		return "", fmt.Errorf("name picture: %w", err)
	}
	name := prefix + hex.EncodeToString(random[:]) + picture.ext
	temp, err := os.CreateTemp(m.Dir, ".upload-*")
	if err != nil {
		return "", fmt.Errorf("save picture: %w", err)
	}
	defer os.Remove(temp.Name()) // no-op once renamed
	if _, err := temp.Write(picture.data); err != nil {
		temp.Close()
		return "", fmt.Errorf("save picture: %w", err)
	}
	if err := temp.Chmod(0o644); err != nil {
		temp.Close()
		return "", fmt.Errorf("save picture: %w", err)
	}
	if err := temp.Close(); err != nil {
		return "", fmt.Errorf("save picture: %w", err)
	}
	if err := os.Rename(temp.Name(), filepath.Join(m.Dir, name)); err != nil {
		return "", fmt.Errorf("save picture: %w", err)
	}
	return name, nil
}

// remove deletes a picture Kring no longer uses; one already gone is fine.
func (m MediaFiles) remove(name string) error {
	if !ValidMediaName(name) {
		return nil
	}
	if err := os.Remove(filepath.Join(m.Dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove picture %s: %w", name, err)
	}
	return nil
}
