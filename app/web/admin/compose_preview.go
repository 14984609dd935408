package admin

import (
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/textinput"
)

// composePreview is the post as a Mastodon user would be shown it: the content warning with the
// text (and pictures) behind it, links, hashtags and mentions as links, pictures with alt text.
type composePreview struct {
	Summary  string
	Content  template.HTML // made by PostToHTML, which escapes the text
	Language string
	Pictures []pictureField
}

// pictureField is one picture slot of the Write form: N numbers its fields; Name is empty for a slot
// that takes a new upload.
type pictureField struct {
	N    int
	Name string
	URL  string
	Alt  string
}

// pictureFields are the form's slots: the draft's pictures, then empty ones up to the limit.
func pictureFields(images []conversations.DraftImage) []pictureField {
	fields := make([]pictureField, 0, conversations.MaxImages)
	for i, image := range images {
		fields = append(fields, pictureField{N: i + 1, Name: image.Name, URL: groups.MediaURLPath + image.Name, Alt: image.Alt})
	}
	for n := len(fields) + 1; n <= conversations.MaxImages; n++ {
		fields = append(fields, pictureField{N: n})
	}
	return fields
}

// wantsPreview reports whether the writer pressed Preview rather than Publish or Save.
func wantsPreview(c *gin.Context) bool { return c.PostForm("preview") != "" }

// readDraftForm reads the Write form into draft: text, content warning, language, pin and
// pictures (new uploads stored, so a preview or a refused form keeps them).
func (a *Admin) readDraftForm(c *gin.Context, draft *conversations.Draft) error {
	draft.Text, draft.Summary, draft.Pin = c.PostForm("text"), c.PostForm("summary"), c.PostForm("pin") == "on"
	draft.Language = c.PostForm("language")
	images, err := a.formPictures(c)
	draft.Images = images
	return err
}

// draftOfPost is the Write form of one of the group's posts, to edit it: its text as written (or,
// for a post from before Kring kept it, read back from its HTML), language and pictures.
func (a *Admin) draftOfPost(c *gin.Context, post model.Post) (conversations.Draft, error) {
	text := post.SourceText
	if text == "" {
		text = textinput.HTMLToText(post.ContentHTML)
	}
	draft := conversations.Draft{Text: text, Summary: post.Summary, Pin: post.PinnedAt != nil, Language: post.Language}
	parts, err := a.cfg.Store.PartsOfPost(c.Request.Context(), post.ID)
	for _, m := range parts.Media {
		draft.Images = append(draft.Images, conversations.DraftImage{Name: m.Name, Alt: m.Alt})
	}
	return draft, err
}

// withPreview adds to page the post as it would be published in its group, mentions looked up;
// nothing is published. A draft that would be refused gets why instead. It returns the status
// to answer with.
func (a *Admin) withPreview(c *gin.Context, page *composePage) int {
	prepared, err := a.cfg.Conversations.PrepareDraft(c.Request.Context(), page.Draft)
	if status, problem, refused := formRefusal(err); refused {
		page.Error = problem
		return status
	}
	if err != nil {
		page.Error = "The preview could not be made; try again."
		return http.StatusInternalServerError
	}
	page.Preview = &composePreview{Summary: prepared.Summary, Language: prepared.Language,
		Content:  template.HTML(a.cfg.Conversations.PreviewHTML(page.Group.Group, prepared)), // escaped by PostToHTML
		Pictures: pictureFields(page.Draft.Images)[:len(page.Draft.Images)]}
	return http.StatusOK
}
