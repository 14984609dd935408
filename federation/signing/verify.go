package signing

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-fed/httpsig"
)

// Why a request was not verified. The inbox answers each with 401 and logs the reason.
var (
	ErrUnsigned         = errors.New("request is not signed")
	ErrMalformed        = errors.New("malformed signature")
	ErrAlgorithm        = errors.New("unsupported signature algorithm")
	ErrHeadersNotSigned = errors.New("required headers not signed")
	ErrExpired          = errors.New("signature date outside the accepted window")
	ErrDigestMismatch   = errors.New("body does not match its digest")
	ErrBadSignature     = errors.New("signature does not verify")
	ErrKeyUnavailable   = errors.New("signer's key unavailable")
)

// VerifiedKey is a public key and the actor it belongs to, as the resolver checked them.
type VerifiedKey struct {
	KeyID    string
	OwnerIRI string
	Key      crypto.PublicKey
}

// PublicKeyResolver finds the key a keyId names. refresh asks for a fresh copy from the key's origin
// rather than a cached one: the verifier asks once after a cached key failed (the key was rotated).
type PublicKeyResolver interface {
	PublicKey(ctx context.Context, keyID string, refresh bool) (VerifiedKey, error)
}

// Verified says who signed a request.
type Verified struct {
	KeyID    string
	OwnerIRI string
	Scheme   string // "draft-cavage" or "rfc9421"
}

// DefaultMaxSkew is how far a request's Date may be from now either way: an hour, as Fedify and
// Mastodon allow for clocks that are off and queues that are slow.
const DefaultMaxSkew = time.Hour

// Verifier checks HTTP signatures.
type Verifier struct {
	Resolver PublicKeyResolver
	Clock    func() time.Time // time.Now when nil
	MaxSkew  time.Duration    // DefaultMaxSkew when zero
	// Scheme is how clients reach Kring ("https" behind the TLS proxy), for RFC 9421's @target-uri;
	// https when empty.
	Scheme string
}

func (v *Verifier) now() time.Time {
	if v.Clock != nil {
		return v.Clock()
	}
	return time.Now()
}

func (v *Verifier) maxSkew() time.Duration {
	if v.MaxSkew == 0 {
		return DefaultMaxSkew
	}
	return v.MaxSkew
}

// Verify checks req's signature and, for a request with a body, that body matches the signed Digest.
// body must be the bytes read from req.
func (v *Verifier) Verify(ctx context.Context, req *http.Request, body []byte) (Verified, error) {
	if req.Header.Get("Signature-Input") != "" {
		return v.verifyRFC9421(ctx, req, body)
	}
	header := req.Header.Get("Signature")
	if header == "" {
		return Verified{}, ErrUnsigned
	}
	if len(req.Header.Values("Signature")) > 1 {
		return Verified{}, fmt.Errorf("%w: more than one Signature header", ErrMalformed)
	}
	params, err := parseSignatureHeader(header)
	if err != nil {
		return Verified{}, err
	}
	if err := v.checkCoverage(req, params, body); err != nil {
		return Verified{}, err
	}
	if err := v.checkDate(req, params); err != nil {
		return Verified{}, err
	}
	if len(body) > 0 || params.covers("digest") {
		if err := checkDigest(req.Header.Get("Digest"), body); err != nil {
			return Verified{}, err
		}
	}
	key, err := v.Resolver.PublicKey(ctx, params.keyID, false)
	if err != nil {
		return Verified{}, fmt.Errorf("%w: %w", ErrKeyUnavailable, err)
	}
	if err := verifyWith(req, params, key.Key); err != nil {
		// The signer may have rotated its key since Kring cached it: fetch it again, once.
		key, err = v.Resolver.PublicKey(ctx, params.keyID, true)
		if err != nil {
			return Verified{}, fmt.Errorf("%w: %w", ErrKeyUnavailable, err)
		}
		if err := verifyWith(req, params, key.Key); err != nil {
			return Verified{}, err
		}
	}
	return Verified{KeyID: key.KeyID, OwnerIRI: key.OwnerIRI, Scheme: "draft-cavage"}, nil
}

// checkCoverage demands what peers demand: the request line and a date always, the host on GETs
// (so a signature cannot be replayed to another server) and the digest whenever there is a body.
func (v *Verifier) checkCoverage(req *http.Request, p signatureParams, body []byte) error {
	required := []string{httpsig.RequestTarget}
	if !p.covers("(created)") {
		required = append(required, "date")
	}
	if req.Method == http.MethodGet || req.Method == http.MethodHead {
		required = append(required, "host")
	}
	if len(body) > 0 {
		required = append(required, "digest")
	}
	for _, h := range required {
		if !p.covers(h) {
			return fmt.Errorf("%w: %s", ErrHeadersNotSigned, h)
		}
	}
	return nil
}

func (v *Verifier) checkDate(req *http.Request, p signatureParams) error {
	now, skew := v.now(), v.maxSkew()
	var signedAt time.Time
	if p.covers("(created)") {
		signedAt = time.Unix(p.created, 0)
	} else {
		date, err := http.ParseTime(req.Header.Get("Date"))
		if err != nil {
			return fmt.Errorf("%w: Date header missing or malformed", ErrMalformed)
		}
		signedAt = date
	}
	if signedAt.Before(now.Add(-skew)) || signedAt.After(now.Add(skew)) {
		return fmt.Errorf("%w: signed at %s", ErrExpired, signedAt.UTC().Format(time.RFC3339))
	}
	if p.expires != 0 && time.Unix(p.expires, 0).Before(now) {
		return fmt.Errorf("%w: expired", ErrExpired)
	}
	return nil
}

// checkDigest compares the SHA-256 in a Digest header (`SHA-256=base64`, possibly beside other
// algorithms) with the body's.
func checkDigest(header string, body []byte) error {
	sum := sha256.Sum256(body)
	for _, part := range strings.Split(header, ",") {
		algorithm, value, found := strings.Cut(strings.TrimSpace(part), "=")
		if !found || !strings.EqualFold(algorithm, "SHA-256") {
			continue
		}
		given, err := base64.StdEncoding.DecodeString(value)
		if err != nil || !bytes.Equal(given, sum[:]) {
			return ErrDigestMismatch
		}
		return nil
	}
	return fmt.Errorf("%w: no SHA-256 Digest header", ErrDigestMismatch)
}

// verifyWith checks the signature with key. hs2019 and a missing algorithm mean "look at the key":
// RSA keys verify as rsa-sha256 (what Mastodon sends under hs2019), Ed25519 keys as ed25519.
func verifyWith(req *http.Request, p signatureParams, key crypto.PublicKey) error {
	algorithm, err := algorithmFor(p.algorithm, key)
	if err != nil {
		return err
	}
	// The library reads every signed value from the header map; a server-side request keeps the
	// Host header in req.Host, so give it a copy that has it.
	signed := req.Clone(req.Context())
	signed.Header.Set("Host", req.Host)
	verifier, err := httpsig.NewVerifier(signed)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if err := verifier.Verify(key, algorithm); err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	return nil
}

func algorithmFor(named string, key crypto.PublicKey) (httpsig.Algorithm, error) {
	switch k := key.(type) {
	case *rsa.PublicKey:
		if named == "" || named == "hs2019" || named == "rsa-sha256" {
			if k.N.BitLen() < 2048 {
				return "", fmt.Errorf("%w: RSA key shorter than 2048 bits", ErrAlgorithm)
			}
			return httpsig.RSA_SHA256, nil
		}
	case ed25519.PublicKey:
		if named == "" || named == "hs2019" || named == "ed25519" {
			return httpsig.ED25519, nil
		}
	}
	return "", fmt.Errorf("%w: %q with a %T key", ErrAlgorithm, named, key)
}
