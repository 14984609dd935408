package admin

import (
	"io"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/groups"
)

// pictureKind reads which picture a form is about.
func pictureKind(c *gin.Context) (groups.ImageKind, error) {
	switch kind := groups.ImageKind(c.PostForm("kind")); kind {
	case groups.Avatar, groups.Header:
		return kind, nil
	}
	return "", apperror.Invalid("kind", "must be avatar or header")
}

// pictureNames says what a notice calls each picture.
var pictureNames = map[groups.ImageKind]string{groups.Avatar: "Avatar", groups.Header: "Header"}

// uploadImage takes a picture from a multipart form (its route may have a body larger than the
// engine's limit: UploadRoutes) and hands it to the groups service, which checks, re-encodes and
// stores it.
func (a *Admin) uploadImage(c *gin.Context) {
	a.changePicture(c, "saved", func(media groups.MediaFiles, groupID string, kind groups.ImageKind, staffID string) error {
		upload, err := readPicture(c)
		if err != nil {
			return err
		}
		_, err = a.cfg.Groups.SetImage(c.Request.Context(), media, groupID, kind, upload, staffID)
		return err
	})
}

func (a *Admin) removeImage(c *gin.Context) {
	a.changePicture(c, "removed", func(media groups.MediaFiles, groupID string, kind groups.ImageKind, staffID string) error {
		_, err := a.cfg.Groups.RemoveImage(c.Request.Context(), media, groupID, kind, staffID)
		return err
	})
}

// changePicture runs change on the picture the form names, for those who manage the group, and
// goes back to the group's page saying what was done.
func (a *Admin) changePicture(c *gin.Context, done string, change func(media groups.MediaFiles, groupID string, kind groups.ImageKind, staffID string) error) {
	group, ok := a.groupToManage(c)
	if !ok {
		return
	}
	kind, err := pictureKind(c)
	if err == nil {
		err = change(groups.MediaFiles{Dir: a.cfg.MediaDir}, group.ID, kind, sessionOf(c).Account.ID)
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, "/admin/groups/"+group.Slug, pictureNames[kind]+" "+done+".")
}

// readPicture reads the form's picture file, refusing one over the size limit before reading it.
func readPicture(c *gin.Context) ([]byte, error) {
	file, header, err := c.Request.FormFile("picture")
	if err != nil {
		return nil, &apperror.Error{Kind: apperror.KindInvalid, Field: "picture", Message: "choose a picture to upload", Cause: err}
	}
	defer file.Close()
	if header.Size > groups.MaxImageBytes {
		return nil, apperror.Invalid("picture", "must be at most %d MiB", groups.MaxImageBytes>>20)
	}
	return io.ReadAll(io.LimitReader(file, groups.MaxImageBytes+1))
}
