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

	"github.com/dunglas/httpsfv"
)

// maxSignatureLabels bounds how many signatures one request may carry before Kring stops looking.
const maxSignatureLabels = 4

// rfc9421Signature is one labelled signature of an RFC 9421 request: what it covers, its parameters
// and its bytes.
type rfc9421Signature struct {
	components []string
	keyID      string
	algorithm  string
	created    int64
	expires    int64
	params     string // the serialized inner list, as the signature base repeats it
	signature  []byte
}

// verifyRFC9421 checks HTTP Message Signatures (RFC 9421), as Mastodon 4.5 and Fedify send them
// first. The structured fields are parsed with httpsfv, a maintained RFC 8941 implementation.
func (v *Verifier) verifyRFC9421(ctx context.Context, req *http.Request, body []byte) (Verified, error) {
	sig, err := readRFC9421(req)
	if err != nil {
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

// readRFC9421 takes the first labelled signature present in both Signature-Input and Signature.
func readRFC9421(req *http.Request) (rfc9421Signature, error) {
	inputs, err := httpsfv.UnmarshalDictionary(req.Header.Values("Signature-Input"))
	if err != nil {
		return rfc9421Signature{}, fmt.Errorf("%w: Signature-Input: %v", ErrMalformed, err)
	}
	signatures, err := httpsfv.UnmarshalDictionary(req.Header.Values("Signature"))
	if err != nil {
		return rfc9421Signature{}, fmt.Errorf("%w: Signature: %v", ErrMalformed, err)
	}
	labels := inputs.Names()
	if len(labels) == 0 || len(labels) > maxSignatureLabels {
		return rfc9421Signature{}, fmt.Errorf("%w: %d signature labels", ErrMalformed, len(labels))
	}
	for _, label := range labels {
		input, _ := inputs.Get(label)
		value, ok := signatures.Get(label)
		if !ok {
			continue
		}
		item, isItem := value.(httpsfv.Item)
		signature, isBytes := item.Value.([]byte)
		list, isList := input.(httpsfv.InnerList)
		if !isItem || !isBytes || !isList {
			return rfc9421Signature{}, fmt.Errorf("%w: signature %s is not an inner list and a byte sequence", ErrMalformed, label)
		}
		return parseSignatureInput(list, signature)
	}
	return rfc9421Signature{}, fmt.Errorf("%w: no Signature for any Signature-Input label", ErrMalformed)
}

func parseSignatureInput(list httpsfv.InnerList, signature []byte) (rfc9421Signature, error) {
	sig := rfc9421Signature{signature: signature}
	for _, item := range list.Items {
		name, ok := item.Value.(string)
		if !ok || len(item.Params.Names()) > 0 {
			return rfc9421Signature{}, fmt.Errorf("%w: unsupported covered component %v", ErrMalformed, item.Value)
		}
		sig.components = append(sig.components, name)
	}
	if len(sig.components) > maxSignedHeaders {
		return rfc9421Signature{}, fmt.Errorf("%w: too many covered components", ErrMalformed)
	}
	if keyID, ok := list.Params.Get("keyid"); ok {
		sig.keyID, _ = keyID.(string)
	}
	if algorithm, ok := list.Params.Get("alg"); ok {
		sig.algorithm, _ = algorithm.(string)
	}
	if created, ok := list.Params.Get("created"); ok {
		sig.created, _ = created.(int64)
	}
	if expires, ok := list.Params.Get("expires"); ok {
		sig.expires, _ = expires.(int64)
	}
	if sig.keyID == "" || sig.created == 0 {
		return rfc9421Signature{}, fmt.Errorf("%w: keyid and created are required", ErrMalformed)
	}
	params, err := httpsfv.Marshal(httpsfv.List{list}) // a one-member list serializes as its member
	if err != nil {
		return rfc9421Signature{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	sig.params = params
	return sig, nil
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
		return checkContentDigest(req.Header.Get("Content-Digest"), body)
	}
	return nil
}

// checkContentDigest compares an RFC 9530 Content-Digest (sha-256 or sha-512) with the body.
func checkContentDigest(header string, body []byte) error {
	digests, err := httpsfv.UnmarshalDictionary([]string{header})
	if err != nil {
		return fmt.Errorf("%w: Content-Digest: %v", ErrDigestMismatch, err)
	}
	for _, algorithm := range []string{"sha-256", "sha-512"} {
		member, ok := digests.Get(algorithm)
		if !ok {
			continue
		}
		item, _ := member.(httpsfv.Item)
		given, _ := item.Value.([]byte)
		var sum []byte
		if algorithm == "sha-256" {
			s := sha256.Sum256(body)
			sum = s[:]
		} else {
			s := sha512.Sum512(body)
			sum = s[:]
		}
		if !bytes.Equal(given, sum) {
			return ErrDigestMismatch
		}
		return nil
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
			if len(values) == 0 {
				return "", fmt.Errorf("%w: covered header %s missing", ErrMalformed, component)
			}
			for i := range values {
				values[i] = strings.TrimSpace(values[i])
			}
			value = strings.Join(values, ", ")
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
