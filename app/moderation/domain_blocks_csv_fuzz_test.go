package moderation

import (
	"errors"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
)

// FuzzDomainBlockCSV reads any file as an imported domain_blocks.csv (the parse the admin's import
// page hands its upload to). Whatever the file: no panic; a file refused whole is refused as
// invalid input; every row kept names a valid domain in normalised form (NormaliseDomain leaves it
// as it is: lowercase LDH labels of 1 to 63 bytes, at least two, 253 bytes in all), once, with a
// severity Kring blocks with; and no more than MaxImportRows rows are read, good or bad.
func FuzzDomainBlockCSV(f *testing.F) {
	header := strings.Join(csvHeader, ",") + "\n"
	for _, seed := range []string{
		header + "spam.example,suspend,false,false,Spam waves,false\n",
		"\ufeff" + header + "Spam.Example.,silence,true,false,\"Loud,\nvery loud\",false\nmedia.example,noop\n",
		header + "spam.example,suspend\nSPAM.example,silence\n",
		header + "ÄB.example,suspend\nxn--b-zfa.example,suspend\n",
		header + "bare\"quote.example,suspend\n\"unterminated,suspend\n",
		header + "not a domain,suspend\nhttps://spam.example/,suspend\nspam.example:443,suspend\n@spam.example,suspend\n",
		header + "a..example,suspend\n.a.example,suspend\nab.example..,suspend\n" + strings.Repeat("a", 64) + ".example,suspend\n",
		"#severity,#domain\nsilence,spam.example\n",
		"#domain\n", "", "spam.example,suspend\n", "#domain\n\xff\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, file []byte) {
		rows, skipped, refused, err := readDomainBlocksCSV(strings.NewReader(string(file)), "why", nil)
		if err != nil {
			var appErr *apperror.Error
			if !errors.As(err, &appErr) || appErr.Kind != apperror.KindInvalid {
				t.Fatalf("refused with %v, want an invalid-input error", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, row := range rows {
			domain := row.block.Domain
			if !validDomain(domain) {
				t.Fatalf("line %d: kept %q, not a valid domain name", row.line, domain)
			}
			if again, err := NormaliseDomain(domain); err != nil || again != domain {
				t.Fatalf("line %d: kept %q, which normalises to %q (%v)", row.line, domain, again, err)
			}
			if seen[domain] {
				t.Fatalf("line %d: %q kept twice", row.line, domain)
			}
			seen[domain] = true
			if s := row.block.Severity; s != model.SeveritySuspend && s != model.SeveritySilence {
				t.Fatalf("line %d: severity %q", row.line, s)
			}
		}
		if n := len(rows) + len(skipped) + len(refused); n > MaxImportRows+1 {
			t.Fatalf("%d rows read (%d kept, %d skipped, %d refused), over the limit of %d", n, len(rows), len(skipped), len(refused), MaxImportRows)
		}
	})
}

// validDomain is a host name as DNS and TLS certificates have them, written as Kring stores blocks:
// lowercase ASCII letters, digits and inner hyphens, labels of 1 to 63 bytes, at least two of
// them, at most 253 bytes, no trailing dot.
func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(d) > 253 || len(labels) < 2 {
		return false
	}
	for _, label := range labels {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// TestReadDomainBlocksCSVCountsBadRowsTowardsTheLimit: rows that are not valid CSV count towards
// MaxImportRows like any other, so a file cannot get past the limit by starting with bad ones.
func TestReadDomainBlocksCSVCountsBadRowsTowardsTheLimit(t *testing.T) {
	t.Parallel()
	file := "#domain\n" + strings.Repeat("a\"\n", MaxImportRows+1) + "spam.example\nmore.example\n"
	rows, skipped, refused, err := readDomainBlocksCSV(strings.NewReader(file), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 0 || len(skipped) != 0 || len(refused) != MaxImportRows+1 {
		t.Fatalf("%d rows kept, %d skipped, %d refused; want 0, 0 and %d (the limit's own line last)", len(rows), len(skipped), len(refused), MaxImportRows+1)
	}
	if last := refused[MaxImportRows]; last.Line != MaxImportRows+2 || !strings.Contains(last.Problem, "only the first") {
		t.Errorf("the limit's line: %+v", last)
	}
}
