package inbox

import (
	"encoding/json"
	"strings"
	"testing"
)

// BenchmarkReadEnvelope reads the envelope of a direct message of about 2 KiB, the production
// benchmark's (bench/production): what every inbox request pays before its signature is checked.
func BenchmarkReadEnvelope(b *testing.B) {
	const actor = "https://s1.example/users/u"
	note := map[string]any{"id": actor + "/notes/1", "type": "Note", "attributedTo": actor, "to": []string{"https://k.example/groups/lobby"},
		"cc": []string{}, "content": "<p>" + strings.Repeat("lorem ipsum ", 150) + "</p>", "published": "2026-12-07T06:00:00Z"}
	body, err := json.Marshal(map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": actor + "/activities/1",
		"type": "Create", "actor": actor, "to": note["to"], "cc": note["cc"], "object": note})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := readEnvelope(body); err != nil {
			b.Fatal(err)
		}
	}
}
