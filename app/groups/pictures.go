package groups

import (
	"context"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// SetImage makes an upload the group's avatar or header: checked and re-encoded (prepareImage) once
// one of the service's decode slots is free, saved in media under a new name, recorded as a
// group.edit and federated as an Update of the group's actor. The picture it replaces is deleted
// once the change is committed.
func (s *Service) SetImage(ctx context.Context, media MediaFiles, groupID string, kind ImageKind, upload []byte, staffID string) (model.Group, error) {
	if kind != Avatar && kind != Header {
		return model.Group{}, apperror.Invalid("image", "must be an avatar or a header (got %q)", string(kind))
	}
	name, err := s.StoreImage(ctx, media, kind, upload)
	if err != nil {
		return model.Group{}, err
	}
	group, err := s.replaceImage(ctx, media, groupID, kind, name, staffID)
	if err != nil {
		_ = media.remove(name) // nothing refers to it
	}
	return group, err
}

// StoreImage checks and re-encodes an upload as a picture of kind (prepareImage) once one of the
// service's decode slots is free, and saves it in media under a new name, which it returns: for
// pictures that belong to something other than the group itself, such as an event's.
func (s *Service) StoreImage(ctx context.Context, media MediaFiles, kind ImageKind, upload []byte) (string, error) {
	release, err := s.imageDecodes.acquire(ctx)
	if err != nil {
		return "", err
	}
	picture, err := prepareImage(kind, upload)
	release()
	if err != nil {
		return "", err
	}
	return media.save(picture, "")
}

// RemoveStoredImage deletes a picture StoreImage saved, once nothing refers to it.
func RemoveStoredImage(media MediaFiles, name string) error { return media.remove(name) }

// RemoveImage takes the group's avatar or header away, recorded and federated as SetImage does.
func (s *Service) RemoveImage(ctx context.Context, media MediaFiles, groupID string, kind ImageKind, staffID string) (model.Group, error) {
	return s.replaceImage(ctx, media, groupID, kind, "", staffID)
}

func (s *Service) replaceImage(ctx context.Context, media MediaFiles, groupID string, kind ImageKind, name, staffID string) (model.Group, error) {
	if kind != Avatar && kind != Header {
		return model.Group{}, apperror.Invalid("image", "must be an avatar or a header (got %q)", string(kind))
	}
	column := string(kind) + "_path"
	var previous string
	group, err := s.changeGroup(ctx, groupID, staffID, func(_ *store.Store, current model.Group) (groupChange, error) {
		previous = PictureOf(current, kind)
		if previous == name {
			return groupChange{}, nil
		}
		var write store.GroupChange
		if kind == Avatar {
			write.AvatarPath = store.To(name)
		} else {
			write.HeaderPath = store.To(name)
		}
		return groupChange{write: write, public: true, entry: store.LogEntry{Action: model.ActionGroupEdit,
			Metadata: map[string]any{column: map[string]any{"from": previous, "to": name}}}}, nil
	})
	if err != nil {
		return model.Group{}, err
	}
	if previous != name {
		// A file left behind when this fails costs disk space only; the change itself is done.
		_ = media.remove(previous)
	}
	return group, nil
}

// PictureOf is the name of the group's picture of a kind, "" when it has none.
func PictureOf(group model.Group, kind ImageKind) string {
	if kind == Avatar {
		return group.AvatarPath
	}
	return group.HeaderPath
}
