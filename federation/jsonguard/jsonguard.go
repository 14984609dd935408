// Package jsonguard checks untrusted JSON before anything parses it for meaning: one object, nested
// no deeper than a bound, nothing after it, and no key that two parsers would read differently.
// Kring runs every inbound activity and every fetched document through it, so a hostile peer cannot
// make a parser recurse without end, smuggle a second document behind the first, or show Kring's
// checks one actor and its worker (or the servers it forwards to) another.
package jsonguard

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DefaultMaxDepth bounds nesting. Real activities nest a handful of levels (Announce{Create{Note
// {tag:[{...}]}}}); 32 leaves ample room while keeping recursion cheap.
const DefaultMaxDepth = 32

// Errors the checks return, for callers that answer with a reason. Key errors are *KeyError values
// that match ErrDuplicateKey or ErrKeyVariant with errors.Is.
var (
	ErrNotObject    = errors.New("JSON document is not an object")
	ErrTooDeep      = errors.New("JSON nested too deeply")
	ErrTrailingData = errors.New("data after the JSON document")
	ErrMalformed    = errors.New("malformed JSON")
	ErrDuplicateKey = errors.New("duplicate key")
	ErrKeyVariant   = errors.New("key spelled differently from a checked name")
)

// checkedNames are the properties Kring's checks read (the inbox's envelope: who acts, on what,
// written by whom, addressed to whom). encoding/json matches keys case-insensitively (Unicode simple
// folding) and go-fed, JSON-LD and most other servers do not, so a case variant of one of these
// names is read as that name by one parser and ignored by another.
var checkedNames = [...]string{"id", "type", "actor", "object", "attributedTo", "to", "cc", "audience"}

// activityStreamsIRIs are the namespace spellings under which a JSON-LD processor reads a key as an
// ActivityStreams property: "as:actor" and "https://www.w3.org/ns/activitystreams#actor" are actor
// to it (and to the servers that expand JSON-LD), while encoding/json and go-fed ignore them.
var activityStreamsIRIs = [...]string{"as:", "https://www.w3.org/ns/activitystreams#", "http://www.w3.org/ns/activitystreams#"}

// KeyError is a key CheckObject refuses: a repeat of a key of the same object, or another spelling
// of a checked name.
type KeyError struct {
	Key string
	// Name is the checked name Key is a variant of; empty for a duplicate.
	Name string
	// Path locates the object holding Key: "" for the top level, "object", "object.tag[1]".
	Path string
	// CaseOnly says Key differs from Name only in case (else it is a JSON-LD spelling of Name).
	CaseOnly bool
}

func (e *KeyError) Error() string {
	var msg string
	switch {
	case e.Name == "":
		msg = "duplicate key " + printable(e.Key)
	case e.CaseOnly:
		msg = "key " + printable(e.Key) + " differs only in case from " + e.Name
	default:
		msg = "key " + printable(e.Key) + " is another spelling of " + e.Name
	}
	if e.Path != "" {
		msg += " in " + printable(e.Path)
	}
	return msg
}

// Is makes a KeyError match ErrDuplicateKey or ErrKeyVariant.
func (e *KeyError) Is(target error) bool {
	if e.Name == "" {
		return target == ErrDuplicateKey
	}
	return target == ErrKeyVariant
}

// printable shows a key as it is when it is short, plain text; else quoted and clipped, so a
// refusal stays one short line whatever the peer sent.
func printable(s string) string {
	const maxShown = 64
	clipped := false
	if len(s) > maxShown {
		s, clipped = strings.ToValidUTF8(s[:maxShown], ""), true
	}
	plain := true
	for _, r := range s {
		if r <= ' ' || r == '"' || r == '\\' || r >= 0x7f {
			plain = false
			break
		}
	}
	if !plain {
		s = strconv.Quote(s)
	}
	if clipped {
		s += "..."
	}
	return s
}

// CheckObject verifies that body is exactly one well-formed JSON object nested at most maxDepth deep
// in which no object repeats a key and no object outside an @context has a case variant or a
// JSON-LD spelling ("as:actor", "@id") of a checked name. It reads the bytes once, without building
// values or recursing, and each key costs a bounded amount of work (a map takes over from
// comparisons in objects with many keys), so its cost grows linearly with the body.
func CheckObject(body []byte, maxDepth int) error {
	_, err := CheckObjectMembers(body, maxDepth, MemberNames{})
	return err
}

// MemberNames names the members whose values CheckObjectMembers keeps: some of the top-level
// object's, and some of the object that is the value of its member NestedIn (an activity's embedded
// object), when that value is an object.
type MemberNames struct {
	Top      []string
	NestedIn string
	Nested   []string
}

// Members are the raw values (as json.RawMessage holds them) of the members MemberNames asked for
// that the body has, by key as encoding/json decodes it. Keys are unique in an accepted body, so each
// has one value.
type Members struct {
	Top, Nested map[string]json.RawMessage
}

// CheckObjectMembers is CheckObject that also keeps the values of the members names asks for, read
// on the same pass: a caller that needs a few members of a large body does not parse it again.
func CheckObjectMembers(body []byte, maxDepth int, names MemberNames) (Members, error) {
	w := walk{frames: make([]frame, 1, 8), names: names}
	if len(names.Top) > 0 {
		w.members.Top = make(map[string]json.RawMessage, len(names.Top))
	}
	if len(names.Nested) > 0 {
		w.members.Nested = make(map[string]json.RawMessage, len(names.Nested))
	}
	if err := w.check(body, maxDepth); err != nil {
		return Members{}, err
	}
	return w.members, nil
}

func (w *walk) check(body []byte, maxDepth int) error {
	s := scanner{data: body}
	s.skipSpace()
	if s.pos == len(s.data) {
		return fmt.Errorf("%w: empty", ErrMalformed)
	}
	if s.data[s.pos] != '{' {
		return ErrNotObject
	}
	s.pos++
	w.frames[0] = frame{object: true}
	for len(w.frames) > 0 {
		s.skipSpace()
		if s.pos == len(s.data) {
			return fmt.Errorf("%w: unexpected end", ErrMalformed)
		}
		top := &w.frames[len(w.frames)-1]
		c := s.data[s.pos]
		closes := (c == '}' && top.object) || (c == ']' && !top.object)
		switch {
		case top.state == afterValue && c == ',':
			s.pos++
			top.state = nextValue
			top.index++
			continue
		case closes && top.state != nextValue:
			s.pos++
			w.keep(top.kept, top.start, &s)
			w.frames = w.frames[:len(w.frames)-1]
			continue
		case top.state == afterValue:
			return s.malformed()
		}
		if top.object {
			key, err := s.readKey()
			if err != nil {
				return err
			}
			if err := w.key(key); err != nil {
				return err
			}
			s.skipSpace()
			if s.pos == len(s.data) || s.data[s.pos] != ':' {
				return s.malformed()
			}
			s.pos++
			s.skipSpace()
			if s.pos == len(s.data) {
				return fmt.Errorf("%w: unexpected end", ErrMalformed)
			}
			c = s.data[s.pos]
		}
		top.state = afterValue
		kept := w.kept()
		start := s.pos
		var err error
		switch {
		case c == '{' || c == '[':
			if len(w.frames) >= maxDepth {
				return ErrTooDeep
			}
			s.pos++
			w.push(c == '{')
			f := &w.frames[len(w.frames)-1]
			f.kept, f.start = kept, start
			continue // kept when it closes
		case c == '"':
			_, _, err = s.readString()
		case c == 't':
			err = s.readLiteral("true")
		case c == 'f':
			err = s.readLiteral("false")
		case c == 'n':
			err = s.readLiteral("null")
		case c == '-' || (c >= '0' && c <= '9'):
			err = s.readNumber()
		default:
			err = s.malformed()
		}
		if err != nil {
			return err
		}
		w.keep(kept, start, &s)
	}
	s.skipSpace()
	if s.pos != len(s.data) {
		return ErrTrailingData
	}
	return nil
}

// kept says where the value about to be read is kept: in which of the members' maps
// (keptNowhere, keptTop, keptNested), under the key just read.
func (w *walk) kept() keptIn {
	depth := len(w.frames)
	top := &w.frames[depth-1]
	switch {
	case !top.object:
		return keptNowhere
	case depth == 1 && slices.Contains(w.names.Top, top.key):
		return keptTop
	case depth == 2 && w.frames[0].key == w.names.NestedIn && slices.Contains(w.names.Nested, top.key):
		return keptNested
	}
	return keptNowhere
}

// keep records the value that began at start and ends where s is, under the key of the object
// that holds it.
func (w *walk) keep(in keptIn, start int, s *scanner) {
	if in == keptNowhere {
		return
	}
	// A value kept at its close: its frame is still the innermost, the object holding it below.
	holder := &w.frames[len(w.frames)-1]
	if s.data[start] == '{' || s.data[start] == '[' {
		holder = &w.frames[len(w.frames)-2]
	}
	value := s.data[start:s.pos]
	if in == keptTop {
		w.members.Top[holder.key] = value
	} else {
		w.members.Nested[holder.key] = value
	}
}

// scanner reads JSON as RFC 8259 and encoding/json define it, byte by byte.
type scanner struct {
	data []byte
	pos  int
}

func (s *scanner) malformed() error {
	if s.pos >= len(s.data) {
		return fmt.Errorf("%w: unexpected end", ErrMalformed)
	}
	return fmt.Errorf("%w: unexpected %q at offset %d", ErrMalformed, s.data[s.pos], s.pos)
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// readString reads a string starting at its opening quote and returns it with its quotes, and
// whether it holds escapes.
func (s *scanner) readString() (raw []byte, escaped bool, err error) {
	start := s.pos
	if s.pos >= len(s.data) || s.data[s.pos] != '"' {
		return nil, false, s.malformed()
	}
	s.pos++
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			return s.data[start:s.pos], escaped, nil
		case c == '\\':
			escaped = true
			s.pos++
			if s.pos >= len(s.data) {
				return nil, false, s.malformed()
			}
			switch s.data[s.pos] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.pos++
			case 'u':
				s.pos++
				for range 4 {
					if s.pos >= len(s.data) || !isHex(s.data[s.pos]) {
						return nil, false, s.malformed()
					}
					s.pos++
				}
			default:
				return nil, false, s.malformed()
			}
		case c < 0x20:
			return nil, false, s.malformed()
		default:
			s.pos++
		}
	}
	return nil, false, s.malformed()
}

// readKey reads an object's key and returns it as encoding/json decodes it (escapes resolved,
// invalid UTF-8 replaced), which is also how go-fed's map sees it.
func (s *scanner) readKey() (string, error) {
	raw, escaped, err := s.readString()
	if err != nil {
		return "", err
	}
	inner := raw[1 : len(raw)-1]
	if !escaped && utf8.Valid(inner) {
		return string(inner), nil
	}
	var key string
	if err := json.Unmarshal(raw, &key); err != nil {
		return "", fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return key, nil
}

func (s *scanner) readLiteral(literal string) error {
	if !bytes.HasPrefix(s.data[s.pos:], []byte(literal)) {
		return s.malformed()
	}
	s.pos += len(literal)
	return nil
}

// readNumber reads -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) readNumber() error {
	if s.pos < len(s.data) && s.data[s.pos] == '-' {
		s.pos++
	}
	switch {
	case s.pos < len(s.data) && s.data[s.pos] == '0':
		s.pos++
	case s.pos < len(s.data) && isDigit(s.data[s.pos]):
		s.skipDigits()
	default:
		return s.malformed()
	}
	if s.pos < len(s.data) && s.data[s.pos] == '.' {
		s.pos++
		if s.pos >= len(s.data) || !isDigit(s.data[s.pos]) {
			return s.malformed()
		}
		s.skipDigits()
	}
	if s.pos < len(s.data) && (s.data[s.pos] == 'e' || s.data[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.data) && (s.data[s.pos] == '+' || s.data[s.pos] == '-') {
			s.pos++
		}
		if s.pos >= len(s.data) || !isDigit(s.data[s.pos]) {
			return s.malformed()
		}
		s.skipDigits()
	}
	return nil
}

func (s *scanner) skipDigits() {
	for s.pos < len(s.data) && isDigit(s.data[s.pos]) {
		s.pos++
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// fewKeys is how many keys of an object are compared one by one before they go into a map.
const fewKeys = 8

// keptIn says whether a value is kept, and among which members.
type keptIn uint8

const (
	keptNowhere keptIn = iota
	keptTop
	keptNested
)

// frame is an open object or array.
type frame struct {
	object    bool
	kept      keptIn // whether this object or array is a value kept whole when it closes
	start     int    // where it opened
	state     position
	inContext bool // inside an @context value, where keys are JSON-LD terms
	key       string
	index     int      // an array's current element
	few       []string // an object's first keys
	many      map[string]struct{}
}

// position is where a frame is between its values.
type position uint8

const (
	firstValue position = iota // just opened: a value (or key) or the close
	nextValue                  // after a comma: a value (or key)
	afterValue                 // after a value: a comma or the close
)

type walk struct {
	frames  []frame
	names   MemberNames
	members Members
}

func (w *walk) push(object bool) {
	parent := &w.frames[len(w.frames)-1]
	inContext := parent.inContext || (parent.object && parent.key == "@context")
	if len(w.frames) < cap(w.frames) {
		// Reuse the slice of first keys a closed frame left here.
		w.frames = w.frames[:len(w.frames)+1]
		f := &w.frames[len(w.frames)-1]
		*f = frame{object: object, inContext: inContext, few: f.few[:0]}
		return
	}
	w.frames = append(w.frames, frame{object: object, inContext: inContext})
}

func (w *walk) key(k string) error {
	top := &w.frames[len(w.frames)-1]
	top.key = k
	if top.many != nil {
		if _, seen := top.many[k]; seen {
			return &KeyError{Key: k, Path: w.path()}
		}
		top.many[k] = struct{}{}
	} else {
		for _, seen := range top.few {
			if seen == k {
				return &KeyError{Key: k, Path: w.path()}
			}
		}
		top.few = append(top.few, k)
		if len(top.few) > fewKeys {
			top.many = make(map[string]struct{}, 2*fewKeys)
			for _, seen := range top.few {
				top.many[seen] = struct{}{}
			}
		}
	}
	if top.inContext || k == "@context" {
		return nil
	}
	if name, caseOnly := variantOf(k); name != "" {
		return &KeyError{Key: k, Name: name, Path: w.path(), CaseOnly: caseOnly}
	}
	return nil
}

// variantOf returns the checked name k is another spelling of, and whether it differs only in case;
// "" when k is a checked name itself or no spelling of one.
func variantOf(k string) (name string, caseOnly bool) {
	for _, name := range checkedNames {
		if k != name && strings.EqualFold(k, name) {
			return name, true
		}
	}
	switch k {
	case "@id":
		return "id", false
	case "@type":
		return "type", false
	}
	for _, prefix := range activityStreamsIRIs {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			for _, name := range checkedNames {
				if rest == name {
					return name, false
				}
			}
		}
	}
	return "", false
}

// path names the innermost open object for a refusal: "object.tag[1]"; "" at the top level.
func (w *walk) path() string {
	var b strings.Builder
	for i := 0; i < len(w.frames)-1; i++ {
		f := &w.frames[i]
		if f.object {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		} else {
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
		}
	}
	return b.String()
}
