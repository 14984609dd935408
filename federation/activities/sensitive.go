package activities

import (
	"encoding/json"
	"fmt"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"
)

// sensitiveContext declares Mastodon's "sensitive" term, which go-fed's vocabulary does not model.
var sensitiveContext = map[string]any{"sensitive": "as:sensitive"}

// MarshalMarkingSensitive serializes t with every Note in it that has a content warning (summary)
// marked sensitive, as Mastodon writes it: Mastodon then hides the text behind the warning, and
// other servers that read only "sensitive" do as well.
func MarshalMarkingSensitive(t vocab.Type) ([]byte, error) {
	doc, err := streams.Serialize(t)
	if err != nil {
		return nil, fmt.Errorf("serialize %s: %w", t.GetTypeName(), err)
	}
	MarkSensitiveDocument(doc)
	return json.Marshal(doc)
}

// MarkSensitiveDocument marks the Notes of a serialized document that have a content warning
// (MarkSensitive) and, when it marked any, declares the term in the document's @context.
func MarkSensitiveDocument(doc map[string]any) {
	if MarkSensitive(doc) {
		contexts := NewContextSet(doc["@context"])
		contexts.Add(sensitiveContext)
		doc["@context"] = contexts.Value()
	}
}

// MarkSensitive sets "sensitive" on doc and the Notes it embeds (object, orderedItems) that carry a
// summary, and reports whether it set any.
func MarkSensitive(doc map[string]any) bool {
	marked := false
	if summary, _ := doc["summary"].(string); summary != "" && doc["type"] == "Note" {
		doc["sensitive"], marked = true, true
	}
	if object, ok := doc["object"].(map[string]any); ok {
		marked = MarkSensitive(object) || marked
	}
	if items, ok := doc["orderedItems"].([]any); ok {
		for _, item := range items {
			if m, ok := item.(map[string]any); ok {
				marked = MarkSensitive(m) || marked
			}
		}
	}
	return marked
}
