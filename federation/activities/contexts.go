package activities

import "encoding/json"

// ContextSet collects the @context entries of embedded documents, so the document embedding them
// declares every term they use (an extension such as "sensitive" still expands) exactly once.
type ContextSet struct {
	entries []any
	seen    map[string]bool
}

// NewContextSet starts a set with first (usually the ActivityStreams context).
func NewContextSet(first any) *ContextSet {
	s := &ContextSet{seen: map[string]bool{}}
	s.Add(first)
	return s
}

// Add takes an @context value: a string, an object, or an array of them.
func (s *ContextSet) Add(context any) {
	if list, ok := context.([]any); ok {
		for _, entry := range list {
			s.Add(entry)
		}
		return
	}
	if context == nil {
		return
	}
	key, err := json.Marshal(context)
	if err != nil || s.seen[string(key)] {
		return
	}
	s.seen[string(key)] = true
	s.entries = append(s.entries, context)
}

// Value is the @context to write: a lone entry as itself, as most servers write it.
func (s *ContextSet) Value() any {
	if len(s.entries) == 1 {
		return s.entries[0]
	}
	return s.entries
}
