package activities_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kring-social/kring/federation/activities"
)

// TestSensitiveMarksNotesWithAContentWarning: a Note with a summary, alone, embedded in a Create or
// listed in a collection, is marked sensitive and the term declared; one without is left alone.
func TestSensitiveMarksNotesWithAContentWarning(t *testing.T) {
	warned := func() map[string]any {
		return map[string]any{"type": "Note", "summary": "spoilers", "content": "<p>x</p>"}
	}
	plain := map[string]any{"type": "Note", "content": "<p>y</p>"}
	for name, doc := range map[string]map[string]any{
		"note":       warned(),
		"create":     {"@context": "https://www.w3.org/ns/activitystreams", "type": "Create", "object": warned()},
		"collection": {"type": "OrderedCollection", "orderedItems": []any{plain, warned()}},
	} {
		activities.MarkSensitiveDocument(doc)
		body, _ := json.Marshal(doc)
		var back map[string]any
		_ = json.Unmarshal(body, &back)
		if ctx, _ := json.Marshal(back["@context"]); string(ctx) == "null" || !json.Valid(ctx) || !strings.Contains(string(ctx), `"sensitive":"as:sensitive"`) {
			t.Errorf("%s: @context %s does not declare sensitive", name, ctx)
		}
		if !strings.Contains(string(body), `"sensitive":true`) {
			t.Errorf("%s: %s not marked", name, body)
		}
	}
	if activities.MarkSensitive(plain) || plain["sensitive"] != nil {
		t.Errorf("a Note without a warning was marked: %v", plain)
	}
}
