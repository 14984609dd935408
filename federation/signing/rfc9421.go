package signing

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// maxSignatureLabels bounds how many signatures one request may carry before Kring stops looking.
const maxSignatureLabels = 4

// rfc9421Signature is one labelled signature of an RFC 9421 request: what it covers, its parameters
// and its bytes.
type rfc9421Signature struct {
	label      string
	components []string
	keyID      string
	algorithm  string
	created    int64
	expires    int64
	params     string // the serialized inner list, as the signature base repeats it
	signature  []byte
}

// verifyRFC9421 checks HTTP Message Signatures (RFC 9421), as Mastodon 4.5 and Fedify send them
// first.
func (v *Verifier) verifyRFC9421(ctx context.Context, req *http.Request, body []byte, actor *origin) (Verified, error) {
	sig, err := readRFC9421(req)
	if err != nil {
		return Verified{}, err
	}
	if err := checkKeyOrigin(sig.keyID, actor); err != nil {
		return Verified{}, err
	}
	if err := v.checkRFC9421Coverage(req, sig, body); err != nil {
		return Verified{}, err
	}
	base, err := v.signatureBase(req, sig)
	if err != nil {
		return Verified{}, err
	}
	key, err := v.Resolver.PublicKey(ctx, sig.keyID, false)
	if err != nil {
		return Verified{}, fmt.Errorf("%w: %w", ErrKeyUnavailable, err)
	}
	if err := verifyBase(base, sig, key.Key); err != nil {
		key, err = v.Resolver.PublicKey(ctx, sig.keyID, true) // rotated since cached: once
		if err != nil {
			return Verified{}, fmt.Errorf("%w: %w", ErrKeyUnavailable, err)
		}
		if err := verifyBase(base, sig, key.Key); err != nil {
			return Verified{}, err
		}
	}
	return Verified{KeyID: key.KeyID, OwnerIRI: key.OwnerIRI, Scheme: "rfc9421"}, nil
}

// readRFC9421 takes the first labelled signature present in both Signature-Input and Signature. Both
// fields are read with Kring's strict structured-field parser: a label, a parameter or a component given
// twice is refused rather than letting one copy silently replace the other, and what is verified (the
// components and the serialized parameters of the signature base) comes from this one parse.
func readRFC9421(req *http.Request) (rfc9421Signature, error) {
	inputLines, signatureLines := req.Header.Values("Signature-Input"), req.Header.Values("Signature")
	if fieldLength(inputLines) > maxSignatureHeader || fieldLength(signatureLines) > maxSignatureHeader {
		return rfc9421Signature{}, fmt.Errorf("%w: signature fields too long", ErrMalformed)
	}
	inputs, err := parseSFDictionary(inputLines)
	if err != nil {
		return rfc9421Signature{}, fmt.Errorf("%w: Signature-Input: %w", ErrMalformed, err)
	}
	signatures, err := parseSFDictionary(signatureLines)
	if err != nil {
		return rfc9421Signature{}, fmt.Errorf("%w: Signature: %w", ErrMalformed, err)
	}
	if len(inputs) == 0 || len(inputs) > maxSignatureLabels || len(signatures) > maxSignatureLabels {
		return rfc9421Signature{}, fmt.Errorf("%w: %d signature labels", ErrMalformed, len(inputs))
	}
	parsed := make([]rfc9421Signature, 0, len(inputs))
	for _, input := range inputs {
		sig, err := parseSignatureInput(input)
		if err != nil {
			return rfc9421Signature{}, err
		}
		parsed = append(parsed, sig)
	}
	for _, member := range signatures {
		if member.inner || member.item.value.kind != sfBytes || len(member.params) > 0 {
			return rfc9421Signature{}, fmt.Errorf("%w: signature %s is not a byte sequence", ErrMalformed, member.key)
		}
	}
	for _, sig := range parsed {
		for _, member := range signatures {
			if member.key == sig.label {
				sig.signature = member.item.value.bytes
				return sig, nil
			}
		}
	}
	return rfc9421Signature{}, fmt.Errorf("%w: no Signature for any Signature-Input label", ErrMalformed)
}

func fieldLength(lines []string) int {
	n := 0
	for _, line := range lines {
		n += len(line) + 2
	}
	return n
}

// parseSignatureInput reads one Signature-Input member: an inner list of distinct component names,
// with no component parameters, and the metadata parameters RFC 9421 defines, each once and of its
// type.
func parseSignatureInput(member sfMember) (rfc9421Signature, error) {
	sig := rfc9421Signature{label: member.key}
	if !member.inner {
		return rfc9421Signature{}, fmt.Errorf("%w: Signature-Input %s is not an inner list", ErrMalformed, member.key)
	}
	if len(member.items) > maxSignedHeaders {
		return rfc9421Signature{}, fmt.Errorf("%w: too many covered components", ErrMalformed)
	}
	for _, item := range member.items {
		name := item.value.str
		if item.value.kind != sfString || len(item.params) > 0 {
			return rfc9421Signature{}, fmt.Errorf("%w: unsupported covered component", ErrMalformed)
		}
		if !validComponentName(name) {
			return rfc9421Signature{}, fmt.Errorf("%w: covered component %q is not a lowercase field name or a derived component", ErrMalformed, name)
		}
		if sig.covers(name) {
			return rfc9421Signature{}, fmt.Errorf("%w: component %s covered twice", ErrMalformed, name)
		}
		sig.components = append(sig.components, name)
	}
	for _, p := range member.params {
		want := sfString
		if p.name == "created" || p.name == "expires" {
			want = sfInteger
		}
		switch p.name {
		case "created", "expires", "nonce", "alg", "keyid", "tag":
		default:
			return rfc9421Signature{}, fmt.Errorf("%w: unknown signature parameter %s", ErrMalformed, p.name)
		}
		if p.value.kind != want {
			return rfc9421Signature{}, fmt.Errorf("%w: signature parameter %s has the wrong type", ErrMalformed, p.name)
		}
		switch p.name {
		case "created":
			sig.created = p.value.num
		case "expires":
			sig.expires = p.value.num
		case "alg":
			sig.algorithm = p.value.str
		case "keyid":
			sig.keyID = p.value.str
		}
	}
	if sig.keyID == "" || sig.created <= 0 {
		return rfc9421Signature{}, fmt.Errorf("%w: keyid and created are required", ErrMalformed)
	}
	var b strings.Builder
	member.serialize(&b)
	sig.params = b.String()
	return sig, nil
}

// validComponentName accepts the derived components Kring computes and lowercase field names.
func validComponentName(name string) bool {
	switch name {
	case "@method", "@target-uri", "@authority", "@scheme", "@path", "@query", "@request-target":
		return true
	}
	return validFieldName(name)
}

// validFieldName is a lowercase HTTP field name (an RFC 9110 token without capitals).
func validFieldName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if isUpperAlpha(c) || !isTokenChar(c) {
			return false
		}
	}
	return true
}

// isTokenChar is an RFC 9110 tchar.
func isTokenChar(c byte) bool {
	return isLowerAlpha(c) || isUpperAlpha(c) || isDigit(c) || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func (sig rfc9421Signature) covers(component string) bool {
	for _, c := range sig.components {
		if c == component {
			return true
		}
	}
	return false
}

// checkRFC9421Coverage demands the request line (method and target) and, with a body, its digest;
// a creation time within the window; no expiry in the past; and a matching Content-Digest.
func (v *Verifier) checkRFC9421Coverage(req *http.Request, sig rfc9421Signature, body []byte) error {
	if !sig.covers("@method") {
		return fmt.Errorf("%w: @method", ErrHeadersNotSigned)
	}
	if !sig.covers("@target-uri") && !(sig.covers("@authority") && (sig.covers("@path") || sig.covers("@request-target"))) {
		return fmt.Errorf("%w: @target-uri", ErrHeadersNotSigned)
	}
	if len(body) > 0 && !sig.covers("content-digest") {
		return fmt.Errorf("%w: content-digest", ErrHeadersNotSigned)
	}
	now := v.now()
	created := time.Unix(sig.created, 0)
	if created.Before(now.Add(-v.maxSkew())) || created.After(now.Add(v.maxSkew())) {
		return fmt.Errorf("%w: created %s", ErrExpired, created.UTC().Format(time.RFC3339))
	}
	if sig.expires != 0 && time.Unix(sig.expires, 0).Before(now) {
		return fmt.Errorf("%w: expired", ErrExpired)
	}
	if sig.covers("content-digest") {
		return checkContentDigest(req.Header.Values("Content-Digest"), body)
	}
	return nil
}

// checkContentDigest compares an RFC 9530 Content-Digest (sha-256 or sha-512) with the body. The field
// lines are joined as the signature base joins them, and read with the same strict parser.
func checkContentDigest(lines []string, body []byte) error {
	digests, err := parseSFDictionary(lines)
	if err != nil {
		return fmt.Errorf("%w: Content-Digest: %w", ErrDigestMismatch, err)
	}
	for _, algorithm := range []string{"sha-256", "sha-512"} {
		for _, member := range digests {
			if member.key != algorithm {
				continue
			}
			var sum []byte
			if algorithm == "sha-256" {
				s := sha256.Sum256(body)
				sum = s[:]
			} else {
				s := sha512.Sum512(body)
				sum = s[:]
			}
			if member.inner || member.item.value.kind != sfBytes || !bytes.Equal(member.item.value.bytes, sum) {
				return ErrDigestMismatch
			}
			return nil
		}
	}
	return fmt.Errorf("%w: no sha-256 or sha-512 Content-Digest", ErrDigestMismatch)
}

// signatureBase builds the string that was signed (RFC 9421 section 2.5).
func (v *Verifier) signatureBase(req *http.Request, sig rfc9421Signature) (string, error) {
	scheme := v.Scheme
	if scheme == "" {
		scheme = "https"
	}
	var b strings.Builder
	for _, component := range sig.components {
		var value string
		switch component {
		case "@method":
			value = strings.ToUpper(req.Method)
		case "@target-uri":
			value = scheme + "://" + req.Host + req.URL.RequestURI()
		case "@authority":
			value = strings.ToLower(req.Host)
		case "@scheme":
			value = scheme
		case "@path":
			value = req.URL.EscapedPath()
		case "@query":
			value = "?" + req.URL.RawQuery
		case "@request-target":
			value = req.URL.RequestURI()
		default:
			if strings.HasPrefix(component, "@") {
				return "", fmt.Errorf("%w: unsupported component %s", ErrMalformed, component)
			}
			values := req.Header.Values(component)
			if component == "host" {
				values = []string{req.Host}
			}
			if len(values) == 0 || (component == "host" && req.Host == "") {
				return "", fmt.Errorf("%w: covered header %s missing", ErrMalformed, component)
			}
			value = joinFieldValues(values)
		}
		fmt.Fprintf(&b, "%q: %s\n", component, value)
	}
	fmt.Fprintf(&b, "\"@signature-params\": %s", sig.params)
	return b.String(), nil
}

// verifyBase checks the signature of base with key under the named algorithm, or the key's own
// when none is named (as Fedify infers it).
func verifyBase(base string, sig rfc9421Signature, key crypto.PublicKey) error {
	switch k := key.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return fmt.Errorf("%w: RSA key shorter than 2048 bits", ErrAlgorithm)
		}
		switch sig.algorithm {
		case "", "rsa-v1_5-sha256":
			digest := sha256.Sum256([]byte(base))
			if err := rsa.VerifyPKCS1v15(k, crypto.SHA256, digest[:], sig.signature); err != nil {
				return fmt.Errorf("%w: %w", ErrBadSignature, err)
			}
			return nil
		case "rsa-pss-sha512":
			digest := sha512.Sum512([]byte(base))
			if err := rsa.VerifyPSS(k, crypto.SHA512, digest[:], sig.signature, &rsa.PSSOptions{SaltLength: 64}); err != nil {
				return fmt.Errorf("%w: %w", ErrBadSignature, err)
			}
			return nil
		}
	case ed25519.PublicKey:
		if sig.algorithm == "" || sig.algorithm == "ed25519" {
			if !ed25519.Verify(k, []byte(base), sig.signature) {
				return ErrBadSignature
			}
			return nil
		}
	}
	return fmt.Errorf("%w: %q with a %T key", ErrAlgorithm, sig.algorithm, key)
}
