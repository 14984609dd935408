package moderation

import (
	"context"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// targetFile is the target kind of a domain.import log entry: the file, by its name.
const targetFile = "file"

// DomainBlockImport is a domain_blocks.csv to apply to an organisation, or instance-wide for an
// empty OrganisationSlug.
type DomainBlockImport struct {
	OrganisationSlug string
	FileName         string
	File             io.Reader
	// Reason is kept, for staff, with every block made; when empty it says where the blocks came
	// from, as Mastodon's import does.
	Reason  string
	StaffID *string // nil when Kring's command line acts
}

// ImportResult says what an import did: the blocks it made, the rows it left out on purpose (noop,
// already blocked, listed twice) and the rows it refused, each with its line.
type ImportResult struct {
	Added   []model.DomainBlock
	Skipped []ImportLine
	Refused []ImportLine
}

// ImportDomainBlocks applies the good rows of a domain_blocks.csv and reports the others: rows are
// not all-or-nothing, so one typo does not hold back a list of hundreds. The blocks made and one
// domain.import entry summing up go into the moderation log, in one transaction with the blocks.
func (s *Service) ImportDomainBlocks(ctx context.Context, in DomainBlockImport) (ImportResult, error) {
	fileName := cleanFileName(in.FileName)
	reason := in.Reason
	if strings.TrimSpace(reason) == "" {
		reason = fmt.Sprintf("Imported from %s on %s", fileName, time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	}
	reason, err := textinput.Text("reason", reason, 2000)
	if err != nil {
		return ImportResult{}, err
	}
	rows, skipped, refused, err := readDomainBlocksCSV(in.File, reason, in.StaffID)
	if err != nil {
		return ImportResult{}, err
	}
	result := ImportResult{Skipped: skipped, Refused: refused}
	err = s.store.Transaction(ctx, func(tx *store.Store) error {
		organisationID, err := organisationIDOf(ctx, tx, in.OrganisationSlug)
		if err != nil {
			return err
		}
		existing, err := tx.ListDomainBlocks(ctx, deref(organisationID))
		if err != nil {
			return err
		}
		blocked := make(map[string]bool, len(existing))
		for _, b := range existing {
			blocked[b.Domain] = true
		}
		blocks := make([]model.DomainBlock, 0, len(rows))
		for _, row := range rows {
			if blocked[row.block.Domain] {
				result.Skipped = append(result.Skipped, ImportLine{Line: row.line, Domain: row.block.Domain, Problem: "already blocked"})
				continue
			}
			row.block.OrganisationID = organisationID
			blocks = append(blocks, row.block)
		}
		// A block made meanwhile by someone else fails the insert as a duplicate: the import is
		// then refused whole and can simply be repeated.
		if result.Added, err = tx.CreateDomainBlocks(ctx, blocks); err != nil {
			return err
		}
		entries := make([]store.LogEntry, len(result.Added))
		for i, b := range result.Added {
			entries[i] = blockLogEntry(b, model.ActionDomainBlock, in.StaffID, map[string]any{"import": fileName})
		}
		if err := tx.RecordModerationActions(ctx, entries); err != nil {
			return err
		}
		_, err = tx.RecordModerationAction(ctx, store.LogEntry{OrganisationID: organisationID,
			StaffAccountID: in.StaffID, Action: model.ActionDomainImport, TargetKind: targetFile, TargetID: fileName,
			Reason: reason, Metadata: map[string]any{"added": len(result.Added), "skipped": len(result.Skipped),
				"refused": len(result.Refused)}})
		return err
	})
	if err != nil {
		return ImportResult{}, err
	}
	slices.SortStableFunc(result.Skipped, func(a, b ImportLine) int { return a.Line - b.Line })
	return result, nil
}

// cleanFileName keeps what a browser sent as an upload's name fit for the log: the base name,
// printable, at most 100 characters.
func cleanFileName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return -1
	}, name)
	if runes := []rune(name); len(runes) > 100 {
		name = string(runes[:100])
	}
	if name == "" || name == "." || name == "/" {
		return "domain_blocks.csv"
	}
	return name
}
