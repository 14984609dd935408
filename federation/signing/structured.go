package signing

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// A strict reader of the RFC 8941 structured fields RFC 9421 and RFC 9530 use: dictionaries whose
// members are inner lists or items, with strings, integers and byte sequences as values. General
// parsers let a repeated dictionary key or parameter silently replace the earlier one, so one header
// can say two things to two readers; this one refuses every repetition, and refuses the value types
// these fields never carry (tokens, decimals, booleans), so a value of the wrong type cannot be read
// as absent.

// sfKind is the type of a bare item.
type sfKind byte

const (
	sfString sfKind = iota + 1
	sfInteger
	sfBytes
)

type sfValue struct {
	kind  sfKind
	str   string
	num   int64
	bytes []byte
}

type sfParam struct {
	name  string
	value sfValue
}

type sfItem struct {
	value  sfValue
	params []sfParam
}

// sfMember is one dictionary member: an inner list (inner true, items set) or an item.
type sfMember struct {
	key    string
	inner  bool
	items  []sfItem // the inner list's items
	item   sfItem   // the item, when not an inner list
	params []sfParam
}

var errStructured = errors.New("structured field")

// maxSFParams bounds the parameters of one item or inner list (RFC 9421 defines six).
const maxSFParams = 16

type sfScanner struct {
	data string
	off  int
}

func (s *sfScanner) fail(format string, args ...any) error {
	return fmt.Errorf("%w: %s at offset %d", errStructured, fmt.Sprintf(format, args...), s.off)
}

func (s *sfScanner) eof() bool { return s.off >= len(s.data) }

func (s *sfScanner) peek() byte { return s.data[s.off] }

func (s *sfScanner) skipSP() {
	for !s.eof() && s.peek() == ' ' {
		s.off++
	}
}

func (s *sfScanner) skipOWS() {
	for !s.eof() && (s.peek() == ' ' || s.peek() == '\t') {
		s.off++
	}
}

// parseSFDictionary parses the field lines of one dictionary field, combined as RFC 9110 combines
// them, refusing a key that appears twice (on one line or across lines).
func parseSFDictionary(lines []string) ([]sfMember, error) {
	s := &sfScanner{data: strings.Join(lines, ", ")}
	s.skipSP()
	var members []sfMember
	seen := map[string]bool{}
	for !s.eof() {
		key, err := s.key()
		if err != nil {
			return nil, err
		}
		if seen[key] {
			return nil, s.fail("key %q given twice", key)
		}
		seen[key] = true
		m := sfMember{key: key}
		if s.eof() || s.peek() != '=' {
			return nil, s.fail("member %q has no value", key) // a bare key is a boolean: never used here
		}
		s.off++
		if !s.eof() && s.peek() == '(' {
			m.inner = true
			if m.items, err = s.innerList(); err != nil {
				return nil, err
			}
		} else if m.item.value, err = s.bareItem(); err != nil {
			return nil, err
		}
		if m.params, err = s.params(); err != nil {
			return nil, err
		}
		members = append(members, m)
		s.skipOWS()
		if s.eof() {
			break
		}
		if s.peek() != ',' {
			return nil, s.fail("expected a comma")
		}
		s.off++
		s.skipOWS()
		if s.eof() {
			return nil, s.fail("trailing comma")
		}
	}
	return members, nil
}

func (s *sfScanner) innerList() ([]sfItem, error) {
	s.off++ // '('
	var items []sfItem
	for {
		s.skipSP()
		if s.eof() {
			return nil, s.fail("unterminated inner list")
		}
		if s.peek() == ')' {
			s.off++
			return items, nil
		}
		value, err := s.bareItem()
		if err != nil {
			return nil, err
		}
		params, err := s.params()
		if err != nil {
			return nil, err
		}
		items = append(items, sfItem{value: value, params: params})
		if s.eof() || (s.peek() != ' ' && s.peek() != ')') {
			return nil, s.fail("expected a space or the end of the inner list")
		}
	}
}

func (s *sfScanner) params() ([]sfParam, error) {
	var params []sfParam
	for !s.eof() && s.peek() == ';' {
		s.off++
		s.skipSP()
		name, err := s.key()
		if err != nil {
			return nil, err
		}
		if len(params) == maxSFParams {
			return nil, s.fail("more than %d parameters", maxSFParams)
		}
		for _, p := range params {
			if p.name == name {
				return nil, s.fail("parameter %q given twice", name)
			}
		}
		if s.eof() || s.peek() != '=' {
			return nil, s.fail("parameter %q has no value", name)
		}
		s.off++
		value, err := s.bareItem()
		if err != nil {
			return nil, err
		}
		params = append(params, sfParam{name: name, value: value})
	}
	return params, nil
}

func (s *sfScanner) key() (string, error) {
	start := s.off
	if s.eof() || !(isLowerAlpha(s.peek()) || s.peek() == '*') {
		return "", s.fail("expected a key")
	}
	for !s.eof() {
		c := s.peek()
		if !isLowerAlpha(c) && !isDigit(c) && c != '_' && c != '-' && c != '.' && c != '*' {
			break
		}
		s.off++
	}
	return s.data[start:s.off], nil
}

func (s *sfScanner) bareItem() (sfValue, error) {
	if s.eof() {
		return sfValue{}, s.fail("expected a value")
	}
	switch c := s.peek(); {
	case c == '"':
		return s.string()
	case c == ':':
		return s.byteSequence()
	case c == '-' || isDigit(c):
		return s.integer()
	default:
		return sfValue{}, s.fail("unsupported value type")
	}
}

func (s *sfScanner) string() (sfValue, error) {
	s.off++ // '"'
	var b strings.Builder
	for !s.eof() {
		c := s.peek()
		s.off++
		switch {
		case c == '\\':
			if s.eof() || (s.peek() != '"' && s.peek() != '\\') {
				return sfValue{}, s.fail("bad escape in a string")
			}
			b.WriteByte(s.peek())
			s.off++
		case c == '"':
			return sfValue{kind: sfString, str: b.String()}, nil
		case c < 0x20 || c > 0x7e:
			return sfValue{}, s.fail("character %#x in a string", c)
		default:
			b.WriteByte(c)
		}
	}
	return sfValue{}, s.fail("unterminated string")
}

func (s *sfScanner) byteSequence() (sfValue, error) {
	s.off++ // ':'
	end := strings.IndexByte(s.data[s.off:], ':')
	if end < 0 {
		return sfValue{}, s.fail("unterminated byte sequence")
	}
	text := s.data[s.off : s.off+end]
	for i := 0; i < len(text); i++ {
		c := text[i]
		if !isLowerAlpha(c) && !isUpperAlpha(c) && !isDigit(c) && c != '+' && c != '/' && c != '=' {
			return sfValue{}, s.fail("character %#x in a byte sequence", c)
		}
	}
	s.off += end + 1
	decoded, err := base64.StdEncoding.DecodeString(text)
	if err != nil && !strings.Contains(text, "=") {
		decoded, err = base64.RawStdEncoding.DecodeString(text) // RFC 8941: tolerate missing padding
	}
	if err != nil {
		return sfValue{}, s.fail("bad base64 in a byte sequence")
	}
	return sfValue{kind: sfBytes, bytes: decoded}, nil
}

func (s *sfScanner) integer() (sfValue, error) {
	start := s.off
	if s.peek() == '-' {
		s.off++
	}
	digits := s.off
	for !s.eof() && isDigit(s.peek()) {
		s.off++
	}
	if s.off == digits || s.off-digits > 15 {
		return sfValue{}, s.fail("bad integer")
	}
	if !s.eof() && s.peek() == '.' {
		return sfValue{}, s.fail("unsupported value type (decimal)")
	}
	n, err := strconv.ParseInt(s.data[start:s.off], 10, 64)
	if err != nil {
		return sfValue{}, s.fail("bad integer")
	}
	return sfValue{kind: sfInteger, num: n}, nil
}

func isLowerAlpha(c byte) bool { return c >= 'a' && c <= 'z' }
func isUpperAlpha(c byte) bool { return c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }

// serialize writes the value as RFC 8941 serializes it.
func (v sfValue) serialize(b *strings.Builder) {
	switch v.kind {
	case sfString:
		b.WriteByte('"')
		for i := 0; i < len(v.str); i++ {
			if v.str[i] == '"' || v.str[i] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(v.str[i])
		}
		b.WriteByte('"')
	case sfInteger:
		b.WriteString(strconv.FormatInt(v.num, 10))
	case sfBytes:
		b.WriteByte(':')
		b.WriteString(base64.StdEncoding.EncodeToString(v.bytes))
		b.WriteByte(':')
	}
}

func serializeParams(b *strings.Builder, params []sfParam) {
	for _, p := range params {
		b.WriteByte(';')
		b.WriteString(p.name)
		b.WriteByte('=')
		p.value.serialize(b)
	}
}

// serialize writes the member's value (not its key) as RFC 8941 serializes it.
func (m sfMember) serialize(b *strings.Builder) {
	if m.inner {
		b.WriteByte('(')
		for i, item := range m.items {
			if i > 0 {
				b.WriteByte(' ')
			}
			item.value.serialize(b)
			serializeParams(b, item.params)
		}
		b.WriteByte(')')
	} else {
		m.item.value.serialize(b)
	}
	serializeParams(b, m.params)
}

// serializeSFDictionary writes members as one dictionary field line.
func serializeSFDictionary(members []sfMember) string {
	var b strings.Builder
	for i, m := range members {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(m.key)
		b.WriteByte('=')
		m.serialize(&b)
	}
	return b.String()
}
