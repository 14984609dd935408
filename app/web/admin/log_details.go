package admin

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// spellMetadata writes an entry's JSON metadata as "key: value" pairs in key order.
func spellMetadata(raw string) string {
	var fields map[string]any
	if err := json.Unmarshal([]byte(raw), &fields); err != nil {
		return raw
	}
	keys := slices.Sorted(maps.Keys(fields))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + spellValue(fields[k])
	}
	return strings.Join(parts, "; ")
}

// logValueLimit keeps a long value (a group's rules before and after an edit) from filling the page;
// the whole of it is in the database.
const logValueLimit = 160

// spellValue writes one metadata value for people: a change as "old" → "new", text quoted and cut at
// logValueLimit runes, lists and objects spelled out recursively.
func spellValue(v any) string {
	switch v := v.(type) {
	case string:
		if v == "" {
			return "(empty)"
		}
		if runes := []rune(v); len(runes) > logValueLimit {
			v = string(runes[:logValueLimit]) + "…"
		}
		return strconv.Quote(v)
	case []any:
		parts := make([]string, len(v))
		for i, item := range v {
			parts[i] = spellValue(item)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		from, hasFrom := v["from"]
		to, hasTo := v["to"]
		if hasFrom && hasTo && len(v) == 2 {
			return spellValue(from) + " → " + spellValue(to)
		}
		keys := slices.Sorted(maps.Keys(v))
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ": " + spellValue(v[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case nil:
		return "(none)"
	default:
		return fmt.Sprint(v)
	}
}
