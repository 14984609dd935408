package admin

import (
	"bytes"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/moderation"
	"github.com/kring-social/kring/app/store"
)

// Import and export of domain blocks in Mastodon's domain_blocks.csv format.

var (
	errNoImportFile   = apperror.Invalid("file", "choose a domain_blocks.csv file to import")
	errImportTooLarge = apperror.Invalid("file", "must be at most %d bytes; split the list into smaller files", moderation.MaxImportBytes)
	errImportRace     = apperror.Conflict("file", "some of these domains were blocked by someone else meanwhile: import the file again")
)

func (a *Admin) exportDomainBlocks(c *gin.Context) {
	scope, _, ok := a.chooseScope(c, true)
	if !ok {
		return
	}
	var out bytes.Buffer
	if err := a.cfg.Moderation.ExportDomainBlocks(c.Request.Context(), blocksScope(scope), &out); err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="domain_blocks-`+scope.Slug+`.csv"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", out.Bytes())
}

// importReport is what the page shows after an import: how many blocks were made, and the rows
// left out or refused, the first maxReportedLines of each.
type importReport struct {
	FileName      string
	Added         int
	Skipped       []moderation.ImportLine
	Refused       []moderation.ImportLine
	SkippedCount  int
	RefusedCount  int
	ReportedLines int
}

// maxReportedLines keeps the page readable after importing a long list that is mostly wrong.
const maxReportedLines = 100

func (a *Admin) importDomainBlocks(c *gin.Context) {
	scope, scopes, ok := a.chooseScope(c, true)
	if !ok {
		return
	}
	header, err := c.FormFile("file")
	var tooLarge *http.MaxBytesError
	switch {
	case errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart):
		err = errNoImportFile
	case errors.As(err, &tooLarge) || (err == nil && header.Size > moderation.MaxImportBytes):
		err = errImportTooLarge
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	file, err := header.Open()
	if err != nil {
		a.fail(c, err)
		return
	}
	defer file.Close()
	result, err := a.cfg.Moderation.ImportDomainBlocks(c.Request.Context(), moderation.DomainBlockImport{
		OrganisationSlug: blocksScope(scope), FileName: header.Filename, File: file,
		Reason: c.PostForm("reason"), StaffID: staffID(c)})
	if errors.Is(err, store.ErrDuplicate) {
		err = errImportRace
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.renderDomainBlocks(c, scope, scopes, &importReport{FileName: header.Filename, Added: len(result.Added),
		Skipped: firstLines(result.Skipped), Refused: firstLines(result.Refused), SkippedCount: len(result.Skipped),
		RefusedCount: len(result.Refused), ReportedLines: maxReportedLines})
}

func firstLines(lines []moderation.ImportLine) []moderation.ImportLine {
	if len(lines) > maxReportedLines {
		return lines[:maxReportedLines]
	}
	return lines
}
