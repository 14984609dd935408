package moderation

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/apperror"
)

// TestReadDomainBlocksCSV: Mastodon's columns are found by name, good rows kept, noop and repeated
// rows left out, bad rows refused with their line (a quoted comment over two lines counts both).
func TestReadDomainBlocksCSV(t *testing.T) {
	t.Parallel()
	file := "\ufeff#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n" +
		"Spam.Example,suspend,false,false,Spam waves,false\n" +
		"quiet.example,silence,true,false,\"Loud,\nvery loud\",false\n" +
		"media.example,noop,true,false,,false\n" +
		"\n" +
		"not a domain,suspend,false,false,,false\n" +
		"nuke.example,nuke,false,false,,false\n" +
		"spam.example,silence,false,false,,false\n" +
		"bare\"quote.example,suspend\n" +
		"short.example\n"
	rows, skipped, refused, err := readDomainBlocksCSV(strings.NewReader(file), "why", nil)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, r := range rows {
		kept = append(kept, fmt.Sprintf("%d:%s:%s:%s", r.line, r.block.Domain, r.block.Severity, r.block.PublicComment))
	}
	if got, want := strings.Join(kept, "|"), "2:spam.example:suspend:Spam waves|3:quiet.example:silence:Loud,\nvery loud|11:short.example:suspend:"; got != want {
		t.Errorf("rows:\n got %q\nwant %q", got, want)
	}
	if got := lines(skipped); got != "5 media.example|9 spam.example" {
		t.Errorf("skipped %q", got)
	}
	if got := lines(refused); got != "7 not a domain|8 nuke.example|10 " {
		t.Errorf("refused %q (%+v)", got, refused)
	}
	if !strings.Contains(skipped[1].Problem, "line 2") || !strings.Contains(refused[1].Problem, "severity") {
		t.Errorf("problems should say why: %+v %+v", skipped, refused)
	}
}

func lines(l []ImportLine) string {
	out := make([]string, len(l))
	for i, x := range l {
		out[i] = fmt.Sprintf("%d %s", x.Line, x.Domain)
	}
	return strings.Join(out, "|")
}

// TestReadDomainBlocksCSVRefusesWholeFiles: files that are not a domain_blocks.csv at all, or too
// large, are refused whole; rows past the limit are reported, not read.
func TestReadDomainBlocksCSVRefusesWholeFiles(t *testing.T) {
	t.Parallel()
	for name, file := range map[string]string{
		"empty":     "",
		"no header": "spam.example,suspend\n",
		"binary":    "#domain\n\xff\xfe\n",
		"too large": "#domain\n" + strings.Repeat("a", MaxImportBytes),
	} {
		if _, _, _, err := readDomainBlocksCSV(strings.NewReader(file), "", nil); apperror.KindOf(err) != apperror.KindInvalid {
			t.Errorf("%s: %v, want Invalid", name, err)
		}
	}
	var many strings.Builder
	many.WriteString("#domain\n")
	for i := 0; i <= MaxImportRows; i++ {
		fmt.Fprintf(&many, "d%d.example\n", i)
	}
	rows, _, refused, err := readDomainBlocksCSV(strings.NewReader(many.String()), "", nil)
	if err != nil || len(rows) != MaxImportRows || len(refused) != 1 || refused[0].Line != MaxImportRows+2 {
		t.Errorf("row limit: %d rows, refused %+v, %v", len(rows), refused, err)
	}
}
