package conversations

import (
	"context"
	"fmt"
	"time"
)

// PictureFiles lists and removes the posts' pictures Kring stored; the PostImages the service was
// given implement it when they are files Kring may delete.
type PictureFiles interface {
	PostPicturesBefore(cutoff time.Time) ([]string, error)
	RemovePostPicture(name string) error
}

// SweepUnusedPictures deletes the posts' pictures stored before cutoff that no post and no draft
// still to go out names: uploads of forms that were never sent, pictures taken off a post, pictures
// of deleted posts. The cutoff leaves a form being written time to be sent. It returns how many it
// deleted.
func (s *Service) SweepUnusedPictures(ctx context.Context, cutoff time.Time) (int, error) {
	files, ok := s.images.(PictureFiles)
	if !ok {
		return 0, nil
	}
	names, err := files.PostPicturesBefore(cutoff)
	if err != nil || len(names) == 0 {
		return 0, err
	}
	used, err := s.store.PicturesInUse(ctx, names)
	if err != nil {
		return 0, fmt.Errorf("sweep unused pictures: %w", err)
	}
	removed := 0
	for _, name := range names {
		if used[name] {
			continue
		}
		if err := files.RemovePostPicture(name); err != nil {
			return removed, err
		}
		removed++
	}
	return removed, nil
}
