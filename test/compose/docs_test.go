package compose

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every ${VAR} docker-compose.yml reads must be explained in .env.example, where operators look.
func TestEnvExampleCoversComposeVariables(t *testing.T) {
	t.Parallel()
	used := uniqueMatches(interpolationRE, readRepoFile(t, "docker-compose.yml"))
	if len(used) == 0 {
		t.Fatal("found no ${...} variables in docker-compose.yml; the pattern or the file changed")
	}
	example := readRepoFile(t, ".env.example")
	for _, name := range used {
		if !regexp.MustCompile(`(?m)^` + name + `=`).MatchString(example) {
			t.Errorf(".env.example does not set %s, which docker-compose.yml reads", name)
		}
	}
}

// Every KRING_* setting cmd/kring reads must appear in the README's configuration table.
func TestREADMEDocumentsEverySetting(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(repoRoot, "cmd", "kring", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var source strings.Builder
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		source.Write(data)
	}
	settings := uniqueMatches(regexp.MustCompile(`"(KRING_[A-Z0-9_]+)"`), source.String())
	if len(settings) == 0 {
		t.Fatal(`found no "KRING_..." settings in cmd/kring; the pattern or the code changed`)
	}
	readme := readRepoFile(t, "README.md")
	for _, name := range settings {
		if !strings.Contains(readme, "| `"+name+"`") {
			t.Errorf("README.md's configuration table has no row for %s", name)
		}
	}
}
