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
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
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
	// ErrKeyOffOrigin: the keyId is not on the origin of the actor the request speaks for, so Kring
	// refuses it before fetching anything (a key on another server cannot speak for the actor).
	ErrKeyOffOrigin = errors.New("signer's key is not on the actor's origin")
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
// body must be the bytes read from req. It does not look at where the key is: callers that know the
// actor the request speaks for use VerifyActor.
func (v *Verifier) Verify(ctx context.Context, req *http.Request, body []byte) (Verified, error) {
	return v.verify(ctx, req, body, nil)
}

// VerifyActor is Verify for a request that speaks for actorIRI: a keyId whose origin (scheme, host
// lowercased without a trailing dot, port without the scheme's default) differs from the actor's is
// refused with ErrKeyOffOrigin before the Resolver is asked for it, so before any fetch.
func (v *Verifier) VerifyActor(ctx context.Context, req *http.Request, body []byte, actorIRI string) (Verified, error) {
	actor, err := originOf(actorIRI)
	if err != nil {
		return Verified{}, fmt.Errorf("%w: actor %q: %w", ErrKeyOffOrigin, actorIRI, err)
	}
	return v.verify(ctx, req, body, &actor)
}

// verify checks req; with actor set, the keyId must be on that origin.
func (v *Verifier) verify(ctx context.Context, req *http.Request, body []byte, actor *origin) (Verified, error) {
	if len(req.Header.Values("Signature-Input")) > 0 {
		return v.verifyRFC9421(ctx, req, body, actor)
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
	if err := checkKeyOrigin(params.keyID, actor); err != nil {
		return Verified{}, err
	}
	if err := v.checkCoverage(req, params, body); err != nil {
		return Verified{}, err
	}
	if err := v.checkDate(req, params); err != nil {
		return Verified{}, err
	}
	if len(body) > 0 || params.covers("digest") {
		if err := checkDigest(req.Header.Values("Digest"), body); err != nil {
			return Verified{}, err
		}
	}
	signed, err := params.signingString(req)
	if err != nil {
		return Verified{}, err
	}
	key, err := v.Resolver.PublicKey(ctx, params.keyID, false)
	if err != nil {
		return Verified{}, fmt.Errorf("%w: %w", ErrKeyUnavailable, err)
	}
	if err := verifyCavage(signed, params, key.Key); err != nil {
		// The signer may have rotated its key since Kring cached it: fetch it again, once.
		key, err = v.Resolver.PublicKey(ctx, params.keyID, true)
		if err != nil {
			return Verified{}, fmt.Errorf("%w: %w", ErrKeyUnavailable, err)
		}
		if err := verifyCavage(signed, params, key.Key); err != nil {
			return Verified{}, err
		}
	}
	return Verified{KeyID: key.KeyID, OwnerIRI: key.OwnerIRI, Scheme: "draft-cavage"}, nil
}

// origin is what two IRIs must share to be on one server.
type origin struct{ scheme, host, port string }

func (o origin) String() string {
	if o.port == "" {
		return o.scheme + "://" + o.host
	}
	return o.scheme + "://" + net.JoinHostPort(o.host, o.port)
}

// originOf reads an absolute IRI's origin: scheme, host lowercased without a trailing dot, and port,
// with the scheme's default port dropped.
func originOf(iri string) (origin, error) {
	u, err := url.Parse(iri)
	if err != nil {
		return origin{}, err
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if u.Scheme == "" || u.Opaque != "" || host == "" {
		return origin{}, errors.New("not an absolute IRI with a host")
	}
	o := origin{scheme: strings.ToLower(u.Scheme), host: host, port: u.Port()}
	if (o.scheme == "https" && o.port == "443") || (o.scheme == "http" && o.port == "80") {
		o.port = ""
	}
	return o, nil
}

// checkKeyOrigin refuses a keyId off actor's origin; with no actor, any keyId passes.
func checkKeyOrigin(keyID string, actor *origin) error {
	if actor == nil {
		return nil
	}
	key, err := originOf(keyID)
	if err != nil {
		return fmt.Errorf("%w: keyId %q: %w", ErrKeyOffOrigin, keyID, err)
	}
	if key != *actor {
		return fmt.Errorf("%w: keyId on %s, actor on %s", ErrKeyOffOrigin, key, actor)
	}
	return nil
}

// checkCoverage demands what peers demand: the request line and a date always, the host on GETs
// (so a signature cannot be replayed to another server) and the digest whenever there is a body.
func (v *Verifier) checkCoverage(req *http.Request, p signatureParams, body []byte) error {
	required := []string{requestTarget}
	if !p.covers(createdHeader) {
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
	if p.covers(createdHeader) {
		signedAt = time.Unix(p.created, 0)
	} else {
		date, err := http.ParseTime(joinFieldValues(req.Header.Values("Date")))
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
// algorithms) with the body's. The header's lines are joined as the signing string joins them, and a
// SHA-256 given twice is refused.
func checkDigest(lines []string, body []byte) error {
	sum := sha256.Sum256(body)
	var found []byte
	for _, part := range strings.Split(joinFieldValues(lines), ",") {
		algorithm, value, ok := strings.Cut(trimOWS(part), "=")
		if !ok || !strings.EqualFold(algorithm, "SHA-256") {
			continue
		}
		if found != nil {
			return fmt.Errorf("%w: SHA-256 given twice", ErrDigestMismatch)
		}
		given, err := base64.StdEncoding.DecodeString(value)
		if err != nil {
			return fmt.Errorf("%w: SHA-256 is not base64", ErrDigestMismatch)
		}
		found = given
	}
	if found == nil {
		return fmt.Errorf("%w: no SHA-256 Digest header", ErrDigestMismatch)
	}
	if !bytes.Equal(found, sum[:]) {
		return ErrDigestMismatch
	}
	return nil
}

// verifyCavage checks the signature over the signing string with key. hs2019 and a missing algorithm
// mean "look at the key": RSA keys verify as rsa-sha256 (what Mastodon sends under hs2019), Ed25519
// keys as ed25519. RSA keys shorter than 2048 bits are refused.
func verifyCavage(signed string, p signatureParams, key crypto.PublicKey) error {
	switch k := key.(type) {
	case *rsa.PublicKey:
		if p.algorithm == "" || p.algorithm == "hs2019" || p.algorithm == "rsa-sha256" {
			if k.N.BitLen() < 2048 {
				return fmt.Errorf("%w: RSA key shorter than 2048 bits", ErrAlgorithm)
			}
			digest := sha256.Sum256([]byte(signed))
			if err := rsa.VerifyPKCS1v15(k, crypto.SHA256, digest[:], p.signature); err != nil {
				return fmt.Errorf("%w: %w", ErrBadSignature, err)
			}
			return nil
		}
	case ed25519.PublicKey:
		if p.algorithm == "" || p.algorithm == "hs2019" || p.algorithm == "ed25519" {
			if !ed25519.Verify(k, []byte(signed), p.signature) {
				return ErrBadSignature
			}
			return nil
		}
	}
	return fmt.Errorf("%w: %q with a %T key", ErrAlgorithm, p.algorithm, key)
}
