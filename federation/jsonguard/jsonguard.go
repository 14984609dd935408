// Package jsonguard checks untrusted JSON before anything parses it for meaning: one object, nested
// no deeper than a bound, nothing after it. Kring runs every inbound activity and every fetched
// document through it, so a hostile peer cannot make a parser recurse without end or smuggle a
// second document behind the first.
package jsonguard

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxDepth bounds nesting. Real activities nest a handful of levels (Announce{Create{Note
// {tag:[{...}]}}}); 32 leaves ample room while keeping recursion cheap.
const DefaultMaxDepth = 32

// Errors the checks return, for callers that answer with a reason.
var (
	ErrNotObject    = errors.New("JSON document is not an object")
	ErrTooDeep      = errors.New("JSON nested too deeply")
	ErrTrailingData = errors.New("data after the JSON document")
	ErrMalformed    = errors.New("malformed JSON")
)

// CheckObject verifies that body is exactly one well-formed JSON object nested at most maxDepth deep.
// It tokenises without building values, so its cost is one pass over the bytes.
func CheckObject(body []byte, maxDepth int) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	first, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if delim, ok := first.(json.Delim); !ok || delim != '{' {
		return ErrNotObject
	}
	depth := 1
	for depth > 0 {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		delim, ok := tok.(json.Delim)
		if !ok {
			continue
		}
		switch delim {
		case '{', '[':
			depth++
			if depth > maxDepth {
				return ErrTooDeep
			}
		case '}', ']':
			depth--
		}
	}
	if _, err := dec.Token(); err != io.EOF {
		return ErrTrailingData
	}
	return nil
}
