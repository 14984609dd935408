package signing

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// fedifyRequest signs a POST the way Fedify 2.x does (components @method @target-uri @authority host
// date content-digest; alg rsa-v1_5-sha256; keyid; created), building the signature base by hand, so
// the test checks Kring's base construction against an independent spelling of RFC 9421.
func fedifyRequest(t testing.TB, key crypto.Signer, alg, keyID string, created time.Time, body []byte, mutate func(*http.Request)) *http.Request {
	t.Helper()
	target := "https://kring.example/groups/lobby/inbox"
	req := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	req.Host = "kring.example"
	date := created.UTC().Format(http.TimeFormat)
	digest := sha256.Sum256(body)
	contentDigest := "sha-256=:" + base64.StdEncoding.EncodeToString(digest[:]) + ":"
	req.Header.Set("Date", date)
	req.Header.Set("Content-Digest", contentDigest)
	algParam := ""
	if alg != "" {
		algParam = fmt.Sprintf(`;alg="%s"`, alg)
	}
	params := fmt.Sprintf(`("@method" "@target-uri" "@authority" "host" "date" "content-digest")%s;keyid="%s";created=%d`, algParam, keyID, created.Unix())
	base := strings.Join([]string{
		`"@method": POST`,
		`"@target-uri": ` + target,
		`"@authority": kring.example`,
		`"host": kring.example`,
		`"date": ` + date,
		`"content-digest": ` + contentDigest,
		`"@signature-params": ` + params,
	}, "\n")
	var signature []byte
	var err error
	switch k := key.(type) {
	case *rsa.PrivateKey:
		sum := sha256.Sum256([]byte(base))
		signature, err = rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
	case ed25519.PrivateKey:
		signature = ed25519.Sign(k, []byte(base))
	}
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Signature-Input", "sig1="+params)
	req.Header.Set("Signature", "sig1=:"+base64.StdEncoding.EncodeToString(signature)+":")
	if mutate != nil {
		mutate(req)
	}
	return req
}

func TestRFC9421(t *testing.T) {
	t.Parallel()
	alice, evil := testKeys(t)
	edPublic, edPrivate, _ := ed25519.GenerateKey(rand.Reader)
	body := []byte(`{"type":"Follow"}`)
	now := time.Now()
	keys := aliceTable(t)
	keys.cached["https://e.example/users/ed#key"] = VerifiedKey{KeyID: "https://e.example/users/ed#key", OwnerIRI: "https://e.example/users/ed", Key: edPublic}
	cases := []struct {
		name string
		req  *http.Request
		body []byte
		want error
	}{
		{"Fedify-shaped", fedifyRequest(t, alice, "rsa-v1_5-sha256", aliceKeyID, now, body, nil), body, nil},
		{"algorithm inferred from the key", fedifyRequest(t, alice, "", aliceKeyID, now, body, nil), body, nil},
		{"ed25519", fedifyRequest(t, edPrivate, "ed25519", "https://e.example/users/ed#key", now, body, nil), body, nil},
		{"another key", fedifyRequest(t, evil, "rsa-v1_5-sha256", aliceKeyID, now, body, nil), body, ErrBadSignature},
		{"body altered", fedifyRequest(t, alice, "rsa-v1_5-sha256", aliceKeyID, now, body, nil), []byte(`{"type":"Delete"}`), ErrDigestMismatch},
		{"stale", fedifyRequest(t, alice, "rsa-v1_5-sha256", aliceKeyID, now.Add(-2*time.Hour), body, nil), body, ErrExpired},
		{"other host", fedifyRequest(t, alice, "rsa-v1_5-sha256", aliceKeyID, now, body, func(r *http.Request) { r.Host = "other.example" }), body, ErrBadSignature},
		{"other path", fedifyRequest(t, alice, "rsa-v1_5-sha256", aliceKeyID, now, body, func(r *http.Request) { r.URL.Path = "/inbox" }), body, ErrBadSignature},
		{"wrong algorithm for the key", fedifyRequest(t, alice, "ed25519", aliceKeyID, now, body, nil), body, ErrAlgorithm},
		{"no signature for the label", fedifyRequest(t, alice, "", aliceKeyID, now, body, func(r *http.Request) { r.Header.Set("Signature", "sig2=:AAAA:") }), body, ErrMalformed},
		{"garbage input", fedifyRequest(t, alice, "", aliceKeyID, now, body, func(r *http.Request) { r.Header.Set("Signature-Input", "sig1=((") }), body, ErrMalformed},
		{"method not covered", fedifyRequest(t, alice, "", aliceKeyID, now, body, func(r *http.Request) {
			r.Header.Set("Signature-Input", strings.Replace(r.Header.Get("Signature-Input"), `"@method" `, "", 1))
		}), body, ErrHeadersNotSigned},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := (&Verifier{Resolver: keys}).Verify(context.Background(), tc.req, tc.body)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
			if err == nil && got.Scheme != "rfc9421" {
				t.Errorf("scheme %q", got.Scheme)
			}
		})
	}
}
