package groups

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
)

// StoredImage is a picture Kring made of an upload and keeps in its media directory.
type StoredImage struct {
	Name          string
	MediaType     string
	Width, Height int
}

// StorePostImage checks and re-encodes an upload as a post's picture (its shape kept, at most
// MaxPostImageSide on its longer side, its metadata dropped) once a decode slot is free, and saves
// it in media under a new name that marks it as a post's (ValidPostMediaName).
func (s *Service) StorePostImage(ctx context.Context, media MediaFiles, upload []byte) (StoredImage, error) {
	release, err := s.imageDecodes.acquire(ctx)
	if err != nil {
		return StoredImage{}, err
	}
	picture, err := prepareImage(PostImage, upload)
	release()
	if err != nil {
		return StoredImage{}, err
	}
	name, err := media.save(picture, postMediaPrefix)
	if err != nil {
		return StoredImage{}, err
	}
	return StoredImage{Name: name, MediaType: MediaType(name), Width: picture.width, Height: picture.height}, nil
}

// PostImage tells the media type and size of a post's picture stored in m, by its name: only names
// Kring gives posts' pictures, of files that are there (conversations.PostImages).
func (m MediaFiles) PostImage(name string) (mediaType string, width, height int, err error) {
	if !ValidPostMediaName(name) {
		return "", 0, 0, errors.New("not the name of a post's picture")
	}
	file, err := os.Open(filepath.Join(m.Dir, name))
	if err != nil {
		return "", 0, 0, fmt.Errorf("picture %s: %w", name, err)
	}
	defer file.Close()
	decodeConfig := jpeg.DecodeConfig
	if MediaType(name) == "image/png" {
		decodeConfig = png.DecodeConfig
	}
	var config image.Config
	if config, err = decodeConfig(file); err != nil {
		return "", 0, 0, fmt.Errorf("picture %s: %w", name, err)
	}
	return MediaType(name), config.Width, config.Height, nil
}
