package moderation

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
)

// Mastodon's domain_blocks.csv, as its admin exports and imports it: this header, one block a row,
// severity suspend, silence or noop (a block that only rejects media or reports), booleans written
// true or false. Kring keeps no media and has no obfuscated public list, so on import it reads
// #domain, #severity and #public_comment and ignores the rest; on export it writes them false.
var csvHeader = []string{"#domain", "#severity", "#reject_media", "#reject_reports", "#public_comment", "#obfuscate"}

const (
	// MaxImportBytes bounds an uploaded file. It stays under the 1 MiB every request body is held
	// to, with room for the form's other fields, so the admin can say what is wrong with a file
	// that is too large rather than have the request cut off.
	MaxImportBytes = 1_000_000
	// MaxImportRows is how many rows one import reads, as many as Mastodon's import does.
	MaxImportRows = 20_000
)

// WriteDomainBlocksCSV writes blocks in Mastodon's domain_blocks.csv format.
func WriteDomainBlocksCSV(w io.Writer, blocks []model.DomainBlock) error {
	out := csv.NewWriter(w)
	if err := out.Write(csvHeader); err != nil {
		return fmt.Errorf("write domain blocks: %w", err)
	}
	for _, b := range blocks {
		if err := out.Write([]string{b.Domain, string(b.Severity), "false", "false", b.PublicComment, "false"}); err != nil {
			return fmt.Errorf("write domain blocks: %w", err)
		}
	}
	out.Flush()
	if err := out.Error(); err != nil {
		return fmt.Errorf("write domain blocks: %w", err)
	}
	return nil
}

// ImportLine is a row of an imported file that was not applied, and why.
type ImportLine struct {
	Line    int
	Domain  string
	Problem string
}

// importRow is a row that passed every check a file alone allows.
type importRow struct {
	line  int
	block model.DomainBlock
}

// readDomainBlocksCSV reads a domain_blocks.csv into the blocks it asks for (checked like any block,
// with reason and staff), the rows it left out on purpose (noop, listed twice) and the rows it
// refused. A file that is not such a CSV at all is an Invalid error.
func readDomainBlocksCSV(file io.Reader, reason string, staff *string) (rows []importRow, skipped, refused []ImportLine, err error) {
	data, err := io.ReadAll(io.LimitReader(file, MaxImportBytes+1))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read domain blocks file: %w", err)
	}
	if len(data) > MaxImportBytes {
		return nil, nil, nil, apperror.Invalid("file", "must be at most %d bytes", MaxImportBytes)
	}
	// Spreadsheets saving "CSV UTF-8" put a byte order mark first; it is not part of "#domain".
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !utf8.Valid(data) {
		return nil, nil, nil, apperror.Invalid("file", "must be UTF-8 text")
	}
	reader := csv.NewReader(bytes.NewReader(data))
	reader.FieldsPerRecord = -1 // rows may leave trailing columns out
	header, err := reader.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, nil, apperror.Invalid("file", "is empty")
	}
	column := map[string]int{}
	for i, name := range header {
		if name = strings.TrimSpace(name); name != "" {
			if _, seen := column[name]; !seen {
				column[name] = i
			}
		}
	}
	if _, ok := column["#domain"]; err != nil || !ok {
		return nil, nil, nil, apperror.Invalid("file", "must begin with Mastodon's domain_blocks.csv header: %s", strings.Join(csvHeader, ","))
	}
	firstLine := map[string]int{}
	for read := 0; ; read++ {
		record, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var parseErr *csv.ParseError
		line := 0
		switch {
		case errors.As(err, &parseErr):
			line = parseErr.StartLine
		case err != nil:
			return nil, nil, nil, fmt.Errorf("read domain blocks file: %w", err)
		default:
			line, _ = reader.FieldPos(0)
		}
		// Rows that are not valid CSV count too, or a file could pass the limit by starting with them.
		if read == MaxImportRows {
			refused = append(refused, ImportLine{Line: line, Problem: fmt.Sprintf("only the first %d rows of a file are read: import the rest from another file", MaxImportRows)})
			break
		}
		if parseErr != nil {
			refused = append(refused, ImportLine{Line: line, Problem: "not valid CSV: " + parseErr.Err.Error()})
			continue
		}
		field := func(name string) string {
			if i, ok := column[name]; ok && i < len(record) {
				return strings.TrimSpace(record[i])
			}
			return ""
		}
		domain, severity := field("#domain"), model.Severity(strings.ToLower(field("#severity")))
		if severity == "noop" {
			skipped = append(skipped, ImportLine{Line: line, Domain: domain, Problem: "severity noop: nothing for Kring to block"})
			continue
		}
		block, err := checkBlock(NewDomainBlock{Domain: domain, Severity: severity, Reason: reason,
			PublicComment: field("#public_comment"), CreatedBy: staff})
		if err != nil {
			refused = append(refused, ImportLine{Line: line, Domain: domain, Problem: apperror.SafeMessage(err)})
			continue
		}
		if first, seen := firstLine[block.Domain]; seen {
			skipped = append(skipped, ImportLine{Line: line, Domain: block.Domain, Problem: fmt.Sprintf("listed before, on line %d", first)})
			continue
		}
		firstLine[block.Domain] = line
		rows = append(rows, importRow{line: line, block: block})
	}
	return rows, skipped, refused, nil
}

// ExportDomainBlocks writes an organisation's blocks, or the instance-wide ones for an empty slug,
// as a domain_blocks.csv.
func (s *Service) ExportDomainBlocks(ctx context.Context, organisationSlug string, w io.Writer) error {
	blocks, err := s.DomainBlocks(ctx, organisationSlug)
	if err != nil {
		return err
	}
	return WriteDomainBlocksCSV(w, blocks)
}
