package compose

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"
)

// repoRoot is where the deployment files live, relative to this package's directory (go test runs
// tests in the package directory).
const repoRoot = "../.."

func readRepoFile(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, filepath.FromSlash(name)))
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return string(data)
}

// uniqueMatches returns the first capture group of every match of re in text, sorted, once each.
func uniqueMatches(re *regexp.Regexp, text string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range re.FindAllStringSubmatch(text, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	sort.Strings(out)
	return out
}
