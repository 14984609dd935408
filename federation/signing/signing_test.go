package signing

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-fed/httpsig"
)

var (
	keyOnce           sync.Once
	aliceKey, evilKey *rsa.PrivateKey
)

func testKeys(t testing.TB) (*rsa.PrivateKey, *rsa.PrivateKey) {
	keyOnce.Do(func() {
		var err error
		if aliceKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if evilKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return aliceKey, evilKey
}

const aliceKeyID = "https://a.example/users/alice#main-key"

// keyTable resolves keys from a map and counts lookups; refreshed holds what a refetch returns.
type keyTable struct {
	cached, refreshed map[string]VerifiedKey
	lookups, refetch  int
}

func (k *keyTable) PublicKey(_ context.Context, keyID string, refresh bool) (VerifiedKey, error) {
	k.lookups++
	table := k.cached
	if refresh {
		k.refetch++
		table = k.refreshed
	}
	key, ok := table[keyID]
	if !ok {
		return VerifiedKey{}, errors.New("no such key")
	}
	return key, nil
}

func aliceTable(t testing.TB) *keyTable {
	alice, _ := testKeys(t)
	key := VerifiedKey{KeyID: aliceKeyID, OwnerIRI: "https://a.example/users/alice", Key: &alice.PublicKey}
	return &keyTable{cached: map[string]VerifiedKey{aliceKeyID: key}, refreshed: map[string]VerifiedKey{aliceKeyID: key}}
}

// signedPost builds the request as a server receives it: Host in req.Host, not in the header map.
func signedPost(t testing.TB, key *rsa.PrivateKey, body []byte) *http.Request {
	t.Helper()
	out, err := http.NewRequest(http.MethodPost, "https://kring.example/groups/lobby/inbox", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	out.Header.Set("Content-Type", "application/activity+json")
	if err := (Signer{KeyID: aliceKeyID, Key: key}).Sign(out, body); err != nil {
		t.Fatal(err)
	}
	return asReceived(out, body)
}

func asReceived(out *http.Request, body []byte) *http.Request {
	in := httptest.NewRequest(out.Method, out.URL.String(), bytes.NewReader(body))
	for name, values := range out.Header {
		if name != "Host" {
			in.Header[name] = values
		}
	}
	in.Host = out.Header.Get("Host")
	return in
}

func TestSignThenVerify(t *testing.T) {
	t.Parallel()
	alice, _ := testKeys(t)
	body := []byte(`{"type":"Follow"}`)
	keys := aliceTable(t)
	verifier := &Verifier{Resolver: keys}
	got, err := verifier.Verify(context.Background(), signedPost(t, alice, body), body)
	if err != nil {
		t.Fatal(err)
	}
	if got.OwnerIRI != "https://a.example/users/alice" || got.KeyID != aliceKeyID || got.Scheme != "draft-cavage" {
		t.Errorf("verified %+v", got)
	}

	get, _ := http.NewRequest(http.MethodGet, "https://kring.example/groups/lobby?x=1", nil)
	if err := (Signer{KeyID: aliceKeyID, Key: alice}).Sign(get, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(get.Header.Get("Signature"), `headers="(request-target) host date"`) || get.Header.Get("Digest") != "" {
		t.Errorf("GET signature %q, digest %q", get.Header.Get("Signature"), get.Header.Get("Digest"))
	}
	if _, err := verifier.Verify(context.Background(), asReceived(get, nil), nil); err != nil {
		t.Fatalf("signed GET: %v", err)
	}
}

// The request target is signed as it is sent, percent-encoded, as peers check it (draft-cavage's
// :path); a path with escapes signed in its decoded form verifies nowhere but in a library that decodes.
func TestSignedPathAsSent(t *testing.T) {
	t.Parallel()
	alice, _ := testKeys(t)
	for _, target := range []string{"https://kring.example/users/j%C3%B6rg", "https://kring.example/a%2Fb/inbox?q=%20x"} {
		out, err := http.NewRequest(http.MethodGet, target, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := (Signer{KeyID: aliceKeyID, Key: alice}).Sign(out, nil); err != nil {
			t.Fatal(err)
		}
		if out.URL.String() != target {
			t.Errorf("signing changed the URL to %s", out.URL)
		}
		if _, err := (&Verifier{Resolver: aliceTable(t)}).Verify(context.Background(), asReceived(out, nil), nil); err != nil {
			t.Errorf("GET %s: %v", target, err)
		}
	}
}

// tamper changes a signed request after signing; each case must be refused for its own reason.
func TestRefusals(t *testing.T) {
	t.Parallel()
	alice, evil := testKeys(t)
	body := []byte(`{"type":"Follow","actor":"https://a.example/users/alice"}`)
	now := time.Now()
	cases := []struct {
		name   string
		req    func() (*http.Request, []byte)
		clock  time.Time
		want   error
		detail string
	}{
		{"unsigned", func() (*http.Request, []byte) {
			r := signedPost(t, alice, body)
			r.Header.Del("Signature")
			return r, body
		}, now, ErrUnsigned, ""},
		{"body altered", func() (*http.Request, []byte) {
			return signedPost(t, alice, body), []byte(`{"type":"Follow","actor":"https://evil.example/u"}`)
		}, now, ErrDigestMismatch, ""},
		{"digest header swapped with the body", func() (*http.Request, []byte) {
			other := []byte(`{"type":"Delete"}`)
			r := signedPost(t, alice, body)
			r.Header.Set("Digest", sha256Digest(other))
			return r, other
		}, now, ErrBadSignature, ""},
		{"digest not signed", func() (*http.Request, []byte) {
			return resigned(t, alice, body, []string{httpsig.RequestTarget, "host", "date"}), body
		}, now, ErrHeadersNotSigned, "digest"},
		{"request-target not signed", func() (*http.Request, []byte) {
			return resigned(t, alice, body, []string{"host", "date", "digest"}), body
		}, now, ErrHeadersNotSigned, "(request-target)"},
		{"date not signed", func() (*http.Request, []byte) {
			return resigned(t, alice, body, []string{httpsig.RequestTarget, "host", "digest"}), body
		}, now, ErrHeadersNotSigned, "date"},
		{"stale date", func() (*http.Request, []byte) { return signedPost(t, alice, body), body }, now.Add(2 * time.Hour), ErrExpired, ""},
		{"date from the future", func() (*http.Request, []byte) { return signedPost(t, alice, body), body }, now.Add(-2 * time.Hour), ErrExpired, ""},
		{"signed by another key", func() (*http.Request, []byte) { return signedPost(t, evil, body), body }, now, ErrBadSignature, ""},
		{"path changed", func() (*http.Request, []byte) {
			r := signedPost(t, alice, body)
			r.URL.Path = "/inbox"
			return r, body
		}, now, ErrBadSignature, ""},
		{"host changed", func() (*http.Request, []byte) {
			r := signedPost(t, alice, body)
			r.Host = "other.example"
			return r, body
		}, now, ErrBadSignature, ""},
		{"duplicate parameter", func() (*http.Request, []byte) {
			r := signedPost(t, alice, body)
			r.Header.Set("Signature", r.Header.Get("Signature")+`,keyId="https://evil.example/k"`)
			return r, body
		}, now, ErrMalformed, "twice"},
		{"unknown algorithm", func() (*http.Request, []byte) {
			r := signedPost(t, alice, body)
			r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), `algorithm="rsa-sha256"`, `algorithm="hmac-sha256"`, 1))
			return r, body
		}, now, ErrAlgorithm, ""},
		{"unknown key", func() (*http.Request, []byte) {
			r := signedPost(t, alice, body)
			r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), aliceKeyID, "https://a.example/users/nobody#main-key", 1))
			return r, body
		}, now, ErrKeyUnavailable, ""},
		{"RFC 9421 without the body's digest", func() (*http.Request, []byte) {
			r := signedPost(t, alice, body)
			r.Header.Set("Signature-Input", `sig1=("@method" "@target-uri");keyid="x";created=1`)
			r.Header.Set("Signature", "sig1=:AAAA:")
			return r, body
		}, now, ErrHeadersNotSigned, "content-digest"},
		{"garbage header", func() (*http.Request, []byte) {
			r := signedPost(t, alice, body)
			r.Header.Set("Signature", `keyId="x",signature="unterminated`)
			return r, body
		}, now, ErrMalformed, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, received := tc.req()
			clock := tc.clock
			verifier := &Verifier{Resolver: aliceTable(t), Clock: func() time.Time { return clock }}
			_, err := verifier.Verify(context.Background(), req, received)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
			if !strings.Contains(fmt.Sprint(err), tc.detail) {
				t.Errorf("error %q should mention %q", err, tc.detail)
			}
		})
	}
}

func TestKeyRotationRefetchesOnce(t *testing.T) {
	t.Parallel()
	alice, rotated := testKeys(t)
	body := []byte(`{"type":"Like"}`)
	keys := &keyTable{
		cached:    map[string]VerifiedKey{aliceKeyID: {KeyID: aliceKeyID, OwnerIRI: "https://a.example/users/alice", Key: &alice.PublicKey}},
		refreshed: map[string]VerifiedKey{aliceKeyID: {KeyID: aliceKeyID, OwnerIRI: "https://a.example/users/alice", Key: &rotated.PublicKey}},
	}
	verifier := &Verifier{Resolver: keys}
	if _, err := verifier.Verify(context.Background(), signedPost(t, rotated, body), body); err != nil {
		t.Fatalf("a rotated key must verify after one refetch: %v", err)
	}
	if keys.refetch != 1 {
		t.Errorf("refetches = %d, want 1", keys.refetch)
	}
	// A signature that fails with the fresh key too is refused after exactly one more refetch.
	keys.refetch = 0
	forged, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verifier.Verify(context.Background(), signedPost(t, forged, body), body); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("forged: %v", err)
	}
	if keys.refetch != 1 {
		t.Errorf("refetches for a forgery = %d, want 1", keys.refetch)
	}
}

func TestHS2019WithEd25519Key(t *testing.T) {
	t.Parallel()
	public, private, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"type":"Follow"}`)
	out, _ := http.NewRequest(http.MethodPost, "https://kring.example/inbox", bytes.NewReader(body))
	out.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	out.Header.Set("Host", out.URL.Host)
	signer, _, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.ED25519}, httpsig.DigestSha256, postHeaders, httpsig.Signature, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := signer.SignRequest(private, "https://e.example/users/ed#key", out, body); err != nil {
		t.Fatal(err)
	}
	out.Header.Set("Signature", strings.Replace(out.Header.Get("Signature"), `algorithm="ed25519"`, `algorithm="hs2019"`, 1))
	keys := &keyTable{cached: map[string]VerifiedKey{"https://e.example/users/ed#key": {KeyID: "https://e.example/users/ed#key", OwnerIRI: "https://e.example/users/ed", Key: public}}}
	if _, err := (&Verifier{Resolver: keys}).Verify(context.Background(), asReceived(out, body), body); err != nil {
		t.Fatalf("hs2019 with an Ed25519 key: %v", err)
	}
}

// resigned signs body with a chosen header list, to produce signatures that leave something out.
func resigned(t testing.TB, key *rsa.PrivateKey, body []byte, headers []string) *http.Request {
	t.Helper()
	out, _ := http.NewRequest(http.MethodPost, "https://kring.example/groups/lobby/inbox", bytes.NewReader(body))
	out.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	out.Header.Set("Host", out.URL.Host)
	signer, _, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.RSA_SHA256}, httpsig.DigestSha256, headers, httpsig.Signature, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := signer.SignRequest(key, aliceKeyID, out, body); err != nil {
		t.Fatal(err)
	}
	if out.Header.Get("Digest") == "" {
		out.Header.Set("Digest", sha256Digest(body))
	}
	return asReceived(out, body)
}

func BenchmarkVerifyCavage(b *testing.B) {
	alice, _ := testKeys(b)
	body := bytes.Repeat([]byte("x"), 2048)
	keys := aliceTable(b)
	verifier := &Verifier{Resolver: keys}
	req := signedPost(b, alice, body)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := verifier.Verify(context.Background(), req, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSign(b *testing.B) {
	alice, _ := testKeys(b)
	body := bytes.Repeat([]byte("x"), 2048)
	signer := Signer{KeyID: aliceKeyID, Key: alice}
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest(http.MethodPost, "https://kring.example/inbox", bytes.NewReader(body))
		if err := signer.Sign(req, body); err != nil {
			b.Fatal(err)
		}
	}
}
