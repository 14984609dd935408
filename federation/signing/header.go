package signing

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// signatureParams is a parsed draft-cavage Signature header. It is the only reading of the header
// Kring makes: what the signature must cover is checked on it, and the signing string that is verified
// is built from it.
type signatureParams struct {
	keyID      string
	algorithm  string // lowercased; "" when not given
	headers    []string
	signature  []byte
	created    int64
	expires    int64
	hasCreated bool
	hasExpires bool
}

// Bounds on what a Signature header may hold; real ones are a few hundred bytes.
const (
	maxSignatureHeader = 8192
	maxSignedHeaders   = 32
	maxTimestampDigits = 18 // fits an int64
)

// The pseudo-headers of draft-cavage-http-signatures-12 section 2.3.
const (
	requestTarget = "(request-target)"
	createdHeader = "(created)"
	expiresHeader = "(expires)"
)

// parseSignatureHeader reads `keyId="...",algorithm="...",headers="...",signature="..."` strictly.
// Parameter names are exactly keyId, algorithm, headers, signature, created and expires, each at most
// once: the draft refuses a repeated parameter, and Kring refuses an unknown or differently spelled
// one too (the draft would ignore it) because another reader may not ignore it the same way; a
// signature-checking library that matched `headers` case-sensitively saw no header list in
// `Headers="..."` and fell back to `date` alone. Values are quoted strings (no quote inside) or tokens;
// created and expires are decimal digits. The headers list is lowercase names separated by single
// spaces, each at most once.
func parseSignatureHeader(header string) (signatureParams, error) {
	if len(header) > maxSignatureHeader {
		return signatureParams{}, fmt.Errorf("%w: header too long", ErrMalformed)
	}
	seen := map[string]bool{}
	var p signatureParams
	rest := trimOWS(header)
	for rest != "" {
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 {
			return signatureParams{}, fmt.Errorf("%w: parameter without a value", ErrMalformed)
		}
		name := rest[:eq]
		rest = rest[eq+1:]
		var value string
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				return signatureParams{}, fmt.Errorf("%w: unterminated value of %q", ErrMalformed, name)
			}
			value, rest = rest[1:end+1], rest[end+2:]
			for i := 0; i < len(value); i++ {
				if value[i] < 0x20 && value[i] != '\t' || value[i] == 0x7f {
					return signatureParams{}, fmt.Errorf("%w: control character in the value of %q", ErrMalformed, name)
				}
			}
		} else {
			end := 0
			for end < len(rest) && isTokenChar(rest[end]) {
				end++
			}
			if end == 0 {
				return signatureParams{}, fmt.Errorf("%w: value of %q is neither quoted nor a token", ErrMalformed, name)
			}
			value, rest = rest[:end], rest[end:]
		}
		if seen[name] {
			return signatureParams{}, fmt.Errorf("%w: parameter %q given twice", ErrMalformed, name)
		}
		seen[name] = true
		if err := p.set(name, value); err != nil {
			return signatureParams{}, err
		}
		rest = trimOWS(rest)
		if rest != "" {
			if rest[0] != ',' {
				return signatureParams{}, fmt.Errorf("%w: text after the value of %q", ErrMalformed, name)
			}
			rest = trimOWS(rest[1:])
			if rest == "" {
				return signatureParams{}, fmt.Errorf("%w: trailing comma", ErrMalformed)
			}
		}
	}
	if p.keyID == "" || len(p.signature) == 0 {
		return signatureParams{}, fmt.Errorf("%w: keyId and signature are required", ErrMalformed)
	}
	if len(p.headers) == 0 {
		return signatureParams{}, fmt.Errorf("%w: no signed headers listed", ErrHeadersNotSigned)
	}
	return p, nil
}

// asciiLower lowercases A-Z and nothing else.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if isUpperAlpha(c) {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func trimOWS(s string) string { return strings.Trim(s, " \t") }

func (p *signatureParams) set(name, value string) error {
	switch name {
	case "keyId":
		p.keyID = value
	case "algorithm":
		p.algorithm = asciiLower(value)
	case "headers":
		return p.setHeaders(value)
	case "signature":
		signature, err := base64.StdEncoding.DecodeString(value)
		if err != nil {
			return fmt.Errorf("%w: signature is not base64", ErrMalformed)
		}
		p.signature = signature
	case "created":
		n, err := parseTimestamp(value)
		if err != nil {
			return err
		}
		p.created, p.hasCreated = n, true
	case "expires":
		n, err := parseTimestamp(value)
		if err != nil {
			return err
		}
		p.expires, p.hasExpires = n, true
	default:
		return fmt.Errorf("%w: unknown parameter %q", ErrMalformed, name)
	}
	return nil
}

func (p *signatureParams) setHeaders(value string) error {
	if value == "" {
		return nil
	}
	names := strings.Split(value, " ")
	if len(names) > maxSignedHeaders {
		return fmt.Errorf("%w: too many signed headers", ErrMalformed)
	}
	for i := range names {
		// Lowercase ASCII only: strings.ToLower would turn the Kelvin sign into a "k".
		name := asciiLower(names[i])
		names[i] = name
		switch {
		case name == requestTarget || name == createdHeader || name == expiresHeader:
		case !validFieldName(name):
			return fmt.Errorf("%w: signed header %q is not a header name", ErrMalformed, name)
		}
		for _, earlier := range names[:i] {
			if earlier == name {
				return fmt.Errorf("%w: header %s listed twice", ErrMalformed, name)
			}
		}
	}
	p.headers = names
	return nil
}

// parseTimestamp reads created and expires: decimal digits only, no sign.
func parseTimestamp(value string) (int64, error) {
	if value == "" || len(value) > maxTimestampDigits {
		return 0, fmt.Errorf("%w: timestamp %q", ErrMalformed, value)
	}
	for i := 0; i < len(value); i++ {
		if !isDigit(value[i]) {
			return 0, fmt.Errorf("%w: timestamp %q is not a number", ErrMalformed, value)
		}
	}
	return strconv.ParseInt(value, 10, 64)
}

func (p signatureParams) covers(header string) bool {
	for _, h := range p.headers {
		if h == header {
			return true
		}
	}
	return false
}

// String writes the parameters back as a Signature header, in the canonical spelling.
func (p signatureParams) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, `keyId="%s"`, p.keyID)
	if p.algorithm != "" {
		fmt.Fprintf(&b, `,algorithm="%s"`, p.algorithm)
	}
	if p.hasCreated {
		fmt.Fprintf(&b, `,created=%d`, p.created)
	}
	if p.hasExpires {
		fmt.Fprintf(&b, `,expires=%d`, p.expires)
	}
	fmt.Fprintf(&b, `,headers="%s",signature="%s"`, strings.Join(p.headers, " "), base64.StdEncoding.EncodeToString(p.signature))
	return b.String()
}

// signingString builds the string the signer signed (draft-cavage-http-signatures-12 section 2.3) from
// the parsed headers list: one `name: value` line per entry, in the listed order. A listed header the
// request does not have is an error, as the draft requires.
func (p signatureParams) signingString(req *http.Request) (string, error) {
	if (p.covers(createdHeader) || p.covers(expiresHeader)) && hasAnyPrefix(p.algorithm, "rsa", "hmac", "ecdsa") {
		// The draft forbids (created) and (expires) with these algorithm names; Mastodon refuses them.
		return "", fmt.Errorf("%w: (created) or (expires) signed under algorithm %s", ErrMalformed, p.algorithm)
	}
	var b strings.Builder
	for i, name := range p.headers {
		var value string
		switch name {
		case requestTarget:
			value = strings.ToLower(req.Method) + " " + req.URL.RequestURI()
		case createdHeader:
			if !p.hasCreated {
				return "", fmt.Errorf("%w: (created) signed without a created parameter", ErrMalformed)
			}
			value = strconv.FormatInt(p.created, 10)
		case expiresHeader:
			if !p.hasExpires {
				return "", fmt.Errorf("%w: (expires) signed without an expires parameter", ErrMalformed)
			}
			value = strconv.FormatInt(p.expires, 10)
		case "host":
			value = req.Host
			if value == "" {
				return "", fmt.Errorf("%w: signed header host missing", ErrMalformed)
			}
		default:
			values := req.Header.Values(name)
			if len(values) == 0 {
				return "", fmt.Errorf("%w: signed header %s missing", ErrMalformed, name)
			}
			value = joinFieldValues(values)
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(name)
		b.WriteString(": ")
		b.WriteString(value)
	}
	return b.String(), nil
}

// joinFieldValues joins a header's lines as both signing schemes do: each trimmed, ", " between.
func joinFieldValues(values []string) string {
	trimmed := make([]string, len(values))
	for i, v := range values {
		trimmed[i] = trimOWS(v)
	}
	return strings.Join(trimmed, ", ")
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, prefix := range prefixes {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}
