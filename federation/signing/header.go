package signing

import (
	"fmt"
	"strconv"
	"strings"
)

// signatureParams is a parsed draft-cavage Signature header.
type signatureParams struct {
	keyID     string
	algorithm string
	headers   []string
	signature string
	created   int64
	expires   int64
}

// Bounds on what a Signature header may hold; real ones are a few hundred bytes.
const (
	maxSignatureHeader = 8192
	maxSignedHeaders   = 32
)

// parseSignatureHeader reads `keyId="...",algorithm="...",headers="...",signature="..."` strictly:
// every parameter at most once, quoted strings closed, no stray text. The library's own parser is
// lenient (a repeated parameter silently wins), which lets a header say two things at once.
func parseSignatureHeader(header string) (signatureParams, error) {
	if len(header) > maxSignatureHeader {
		return signatureParams{}, fmt.Errorf("%w: header too long", ErrMalformed)
	}
	seen := map[string]bool{}
	var p signatureParams
	rest := strings.TrimSpace(header)
	for rest != "" {
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 {
			return signatureParams{}, fmt.Errorf("%w: parameter without a value", ErrMalformed)
		}
		name := strings.ToLower(strings.TrimSpace(rest[:eq]))
		rest = rest[eq+1:]
		var value string
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				return signatureParams{}, fmt.Errorf("%w: unterminated value of %s", ErrMalformed, name)
			}
			value, rest = rest[1:end+1], rest[end+2:]
		} else {
			end := strings.IndexByte(rest, ',')
			if end < 0 {
				end = len(rest)
			}
			value, rest = strings.TrimSpace(rest[:end]), rest[end:]
		}
		if seen[name] {
			return signatureParams{}, fmt.Errorf("%w: parameter %s given twice", ErrMalformed, name)
		}
		seen[name] = true
		if err := p.set(name, value); err != nil {
			return signatureParams{}, err
		}
		rest = strings.TrimSpace(rest)
		if rest != "" {
			if rest[0] != ',' {
				return signatureParams{}, fmt.Errorf("%w: text after the value of %s", ErrMalformed, name)
			}
			rest = strings.TrimSpace(rest[1:])
		}
	}
	if p.keyID == "" || p.signature == "" {
		return signatureParams{}, fmt.Errorf("%w: keyId and signature are required", ErrMalformed)
	}
	if len(p.headers) == 0 {
		return signatureParams{}, fmt.Errorf("%w: no signed headers listed", ErrHeadersNotSigned)
	}
	return p, nil
}

func (p *signatureParams) set(name, value string) error {
	var err error
	switch name {
	case "keyid":
		p.keyID = value
	case "algorithm":
		p.algorithm = strings.ToLower(value)
	case "headers":
		p.headers = strings.Fields(strings.ToLower(value))
		if len(p.headers) > maxSignedHeaders {
			return fmt.Errorf("%w: too many signed headers", ErrMalformed)
		}
	case "signature":
		p.signature = value
	case "created":
		p.created, err = strconv.ParseInt(value, 10, 64)
	case "expires":
		p.expires, err = strconv.ParseInt(value, 10, 64)
	}
	if err != nil {
		return fmt.Errorf("%w: %s is not a number", ErrMalformed, name)
	}
	return nil
}

func (p signatureParams) covers(header string) bool {
	for _, h := range p.headers {
		if h == header {
			return true
		}
	}
	return false
}
