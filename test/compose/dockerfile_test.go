package compose

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction with its continuation lines joined.
type instruction struct {
	keyword string
	args    string
}

func parseDockerfile(text string) []instruction {
	var out []instruction
	var pending strings.Builder
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if pending.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			pending.WriteString(strings.TrimSuffix(trimmed, "\\") + " ")
			continue
		}
		pending.WriteString(trimmed)
		keyword, args, _ := strings.Cut(pending.String(), " ")
		out = append(out, instruction{keyword: strings.ToUpper(keyword), args: strings.TrimSpace(args)})
		pending.Reset()
	}
	return out
}

// finalStage returns the instructions after the last FROM: what the shipped image is made of.
func finalStage(instructions []instruction) []instruction {
	for i := len(instructions) - 1; i >= 0; i-- {
		if instructions[i].keyword == "FROM" {
			return instructions[i:]
		}
	}
	return nil
}

func TestDockerfile(t *testing.T) {
	t.Parallel()
	all := parseDockerfile(readRepoFile(t, "Dockerfile"))
	final := finalStage(all)
	if len(final) == len(all) {
		t.Fatal("Dockerfile is not multi-stage: the Go toolchain would ship in the image")
	}
	last := map[string]string{}
	for _, in := range final {
		last[in.keyword] = in.args
	}
	checks := []struct {
		keyword string
		ok      func(args string) bool
		want    string
	}{
		{"USER", func(a string) bool { return a != "" && a != "root" && a != "0" && !strings.HasPrefix(a, "0:") }, "a non-root user"},
		{"ENTRYPOINT", func(a string) bool { return a == `["kring"]` }, `["kring"]`},
		{"EXPOSE", func(a string) bool { return strings.Contains(a, "8080") }, "port 8080"},
		{"VOLUME", func(a string) bool { return strings.Contains(a, "/data") }, "/data"},
		{"COPY", func(a string) bool { return strings.HasPrefix(a, "--from=") }, "the binary from the build stage"},
	}
	for _, c := range checks {
		if args, ok := last[c.keyword]; !ok || !c.ok(args) {
			t.Errorf("final stage %s %q, want %s", c.keyword, args, c.want)
		}
	}

	var build string
	for _, in := range all {
		if in.keyword == "RUN" && strings.Contains(in.args, "go build") {
			build = in.args
		}
	}
	for _, want := range []string{"-trimpath", "-X main.version=", "./cmd/kring"} {
		if !strings.Contains(build, want) {
			t.Errorf("go build step %q lacks %q", build, want)
		}
	}
}

// The linker ignores -X for a variable that does not exist, so check the one the Dockerfile sets.
func TestDockerfileVersionVariableExists(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(repoRoot, "cmd", "kring", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in cmd/kring (%v): the Dockerfile builds ./cmd/kring", err)
	}
	declaration := regexp.MustCompile(`(?m)^var version\s*(string\s*)?=`)
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if declaration.Match(data) {
			return
		}
	}
	t.Error("cmd/kring declares no package-level `var version = ...` for -ldflags -X main.version")
}

func TestDockerignore(t *testing.T) {
	t.Parallel()
	patterns := map[string]bool{}
	for _, line := range strings.Split(readRepoFile(t, ".dockerignore"), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			patterns[strings.TrimSuffix(strings.TrimPrefix(line, "/"), "/")] = true
		}
	}
	for _, excluded := range []string{".git", "data", ".env"} {
		if !patterns[excluded] {
			t.Errorf(".dockerignore does not exclude %s", excluded)
		}
	}
	for _, needed := range []string{"go.mod", "go.sum", "cmd", "app", "migrations", "workers", "federation", "*", "**"} {
		if patterns[needed] {
			t.Errorf(".dockerignore excludes %s, which the build needs", needed)
		}
	}
}
