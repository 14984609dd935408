package admin

import (
	"io"
	"mime/multipart"
	"regexp"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/groups"
)

// The Write form has a slot per picture, numbered from 1: a picture kept from before (image_N, the
// name Kring gave it, carried through a preview or a refused form), or a new upload (file_N); its
// alt text (alt_N); and remove_N to drop it. Slots are read in their numbers' order.
var pictureSlotField = regexp.MustCompile(`^(image|file|alt|remove)_([1-9][0-9]?)$`)

// pictureSlot is one slot of the form, as sent.
type pictureSlot struct {
	kept   string
	upload *multipart.FileHeader
	alt    string
}

// composeUploadLimit is the body a Write form may have: four of the largest pictures and the text.
const composeUploadLimit = conversations.MaxImages*groups.MaxPostImageBytes + 1<<20

// formPictures reads the form's pictures: kept ones by name (only names Kring gives posts'
// pictures), new uploads checked, re-encoded and stored. More than conversations.MaxImages is
// refused before any upload is decoded.
func (a *Admin) formPictures(c *gin.Context) ([]conversations.DraftImage, error) {
	slots, err := pictureSlots(c)
	if err != nil {
		return nil, err
	}
	if len(slots) > conversations.MaxImages {
		return nil, apperror.Invalid("images", "a post may have at most %d pictures (got %d)", conversations.MaxImages, len(slots))
	}
	images := make([]conversations.DraftImage, 0, len(slots))
	for i, slot := range slots {
		if slot.upload == nil {
			if !groups.ValidPostMediaName(slot.kept) {
				return nil, apperror.Invalid("images", "picture %d is not one Kring stored for a post", i+1)
			}
			images = append(images, conversations.DraftImage{Name: slot.kept, Alt: slot.alt})
			continue
		}
		upload, err := readPostPicture(slot.upload, i+1)
		if err != nil {
			return nil, err
		}
		stored, err := a.cfg.Groups.StorePostImage(c.Request.Context(), groups.MediaFiles{Dir: a.cfg.MediaDir}, upload)
		if err != nil {
			return nil, err
		}
		images = append(images, conversations.DraftImage{Name: stored.Name, Alt: slot.alt})
	}
	return images, nil
}

// pictureSlots are the form's slots that hold a picture, not removed, in order. A slot with both a
// kept picture and an upload takes the upload (it replaces the picture).
func pictureSlots(c *gin.Context) ([]pictureSlot, error) {
	if c.ContentType() != "multipart/form-data" {
		return nil, nil // a form sent url-encoded has no pictures
	}
	if err := c.Request.ParseMultipartForm(1 << 20); err != nil {
		return nil, &apperror.Error{Kind: apperror.KindInvalid, Field: "images", Message: "the form could not be read", Cause: err}
	}
	bySlot := map[int]*pictureSlot{}
	slot := func(key string) (*pictureSlot, string, bool) {
		m := pictureSlotField.FindStringSubmatch(key)
		if m == nil {
			return nil, "", false
		}
		n, _ := strconv.Atoi(m[2])
		if bySlot[n] == nil {
			bySlot[n] = &pictureSlot{}
		}
		return bySlot[n], m[1], true
	}
	removed := map[*pictureSlot]bool{}
	form := c.Request.MultipartForm
	for key, values := range form.Value {
		s, field, ok := slot(key)
		if !ok || len(values) == 0 {
			continue
		}
		switch field {
		case "image":
			s.kept = values[0]
		case "alt":
			s.alt = values[0]
		case "remove":
			removed[s] = values[0] != ""
		}
	}
	for key, files := range form.File {
		if s, field, ok := slot(key); ok && field == "file" && len(files) > 0 && files[0].Filename != "" {
			s.upload = files[0]
		}
	}
	numbers := make([]int, 0, len(bySlot))
	for n := range bySlot {
		numbers = append(numbers, n)
	}
	slices.Sort(numbers)
	var slots []pictureSlot
	for _, n := range numbers {
		s := bySlot[n]
		if removed[s] || (s.kept == "" && s.upload == nil) {
			continue
		}
		slots = append(slots, *s)
	}
	return slots, nil
}

// readPostPicture reads one uploaded picture, refusing one over the size limit before reading it.
func readPostPicture(header *multipart.FileHeader, n int) ([]byte, error) {
	if header.Size > groups.MaxPostImageBytes {
		return nil, apperror.Invalid("images", "picture %d must be at most %d MiB", n, groups.MaxPostImageBytes>>20)
	}
	file, err := header.Open()
	if err != nil {
		return nil, &apperror.Error{Kind: apperror.KindInvalid, Field: "images", Message: "picture " + strconv.Itoa(n) + " could not be read", Cause: err}
	}
	defer file.Close()
	return io.ReadAll(io.LimitReader(file, groups.MaxPostImageBytes+1))
}
