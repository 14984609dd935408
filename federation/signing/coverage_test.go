package signing

import (
	"bytes"
	"context"
	"crypto"
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

// The tests in this file write signatures with Go's crypto and the header text by hand, so that what is
// signed and what the header claims can differ on purpose: the verifier must decide both from one parse.

const coverageTarget = "https://kring.example/groups/lobby/inbox"

// receivedPost is a POST as Kring's server sees it: Host in req.Host, a Date of now, a Digest and a
// Content-Digest of body.
func receivedPost(body []byte) *http.Request {
	req := httptest.NewRequest(http.MethodPost, coverageTarget, bytes.NewReader(body))
	req.Host = "kring.example"
	req.Header.Set("Content-Type", "application/activity+json")
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	req.Header.Set("Digest", sha256Digest(body))
	sum := sha256.Sum256(body)
	req.Header.Set("Content-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum[:])+":")
	return req
}

// handValue is what a signer puts on a line of the string it signs, for the request receivedPost builds.
func handValue(req *http.Request, name string) string {
	switch name {
	case "(request-target)":
		return "post /groups/lobby/inbox"
	case "host", "@authority":
		return "kring.example"
	case "@method":
		return "POST"
	case "@target-uri":
		return coverageTarget
	}
	return req.Header.Get(name)
}

func signRSA(t testing.TB, key *rsa.PrivateKey, text string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(text))
	signature, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(signature)
}

// cavageSigned signs the lines named in signed (draft-cavage `name: value`) and sets the Signature header
// to header(signature).
func cavageSigned(t testing.TB, key *rsa.PrivateKey, body []byte, signed []string, header func(signature string) string) *http.Request {
	t.Helper()
	req := receivedPost(body)
	lines := make([]string, len(signed))
	for i, name := range signed {
		lines[i] = strings.ToLower(name) + ": " + handValue(req, strings.ToLower(name))
	}
	req.Header.Set("Signature", header(signRSA(t, key, strings.Join(lines, "\n"))))
	return req
}

// rfc9421Signed signs components with the signature parameters params (the text after the inner list, as
// the signature base repeats it) and lets write set Signature-Input and Signature from the signed inner
// list and the signature.
func rfc9421Signed(t testing.TB, key *rsa.PrivateKey, body []byte, components []string, params string, write func(r *http.Request, input, signature string)) *http.Request {
	t.Helper()
	req := receivedPost(body)
	quoted := make([]string, len(components))
	lines := make([]string, 0, len(components)+1)
	for i, c := range components {
		quoted[i] = `"` + c + `"`
		lines = append(lines, fmt.Sprintf("%q: %s", c, handValue(req, strings.ToLower(c))))
	}
	input := "(" + strings.Join(quoted, " ") + ")" + params
	lines = append(lines, `"@signature-params": `+input)
	write(req, input, signRSA(t, key, strings.Join(lines, "\n")))
	return req
}

var fullCavage = []string{"(request-target)", "host", "date", "digest"}

func TestCavageOneParse(t *testing.T) {
	t.Parallel()
	alice, _ := testKeys(t)
	body := []byte(`{"type":"Follow","actor":"https://a.example/users/alice"}`)
	full := `headers="(request-target) host date digest"`
	cases := []struct {
		name    string
		signed  []string
		header  func(sig string) string
		want    error
		lookups int
	}{
		{"well-formed, as signed by hand", fullCavage, func(s string) string {
			return `keyId="` + aliceKeyID + `",algorithm="rsa-sha256",` + full + `,signature="` + s + `"`
		}, nil, 1},
		{"spaces after the commas", fullCavage, func(s string) string {
			return `keyId="` + aliceKeyID + `", algorithm="hs2019", ` + full + `, signature="` + s + `"`
		}, nil, 1},
		{"Headers= in another case, signed over date only", []string{"date"}, func(s string) string {
			return `keyId="` + aliceKeyID + `",algorithm="rsa-sha256",Headers="(request-target) host date digest",signature="` + s + `"`
		}, ErrMalformed, 0},
		{"KeyId= in another case", fullCavage, func(s string) string {
			return `KeyId="` + aliceKeyID + `",algorithm="rsa-sha256",` + full + `,signature="` + s + `"`
		}, ErrMalformed, 0},
		{"Signature= in another case", fullCavage, func(s string) string {
			return `keyId="` + aliceKeyID + `",algorithm="rsa-sha256",` + full + `,Signature="` + s + `"`
		}, ErrMalformed, 0},
		{"ALGORITHM= in capitals", fullCavage, func(s string) string {
			return `keyId="` + aliceKeyID + `",ALGORITHM="rsa-sha256",` + full + `,signature="` + s + `"`
		}, ErrMalformed, 0},
		{"keyId given twice", fullCavage, func(s string) string {
			return `keyId="` + aliceKeyID + `",keyId="https://evil.example/k",algorithm="rsa-sha256",` + full + `,signature="` + s + `"`
		}, ErrMalformed, 0},
		{"keyId and KeyId", fullCavage, func(s string) string {
			return `keyId="` + aliceKeyID + `",algorithm="rsa-sha256",` + full + `,signature="` + s + `",KeyId="https://evil.example/k"`
		}, ErrMalformed, 0},
		{"headers given twice", fullCavage, func(s string) string {
			return `keyId="` + aliceKeyID + `",headers="date",algorithm="rsa-sha256",` + full + `,signature="` + s + `"`
		}, ErrMalformed, 0},
		{"unknown parameter", fullCavage, func(s string) string {
			return `keyId="` + aliceKeyID + `",algorithm="rsa-sha256",` + full + `,signature="` + s + `",nonce="1"`
		}, ErrMalformed, 0},
		{"headers entry repeated", append(append([]string{}, fullCavage...), "date"), func(s string) string {
			return `keyId="` + aliceKeyID + `",algorithm="rsa-sha256",headers="(request-target) host date digest date",signature="` + s + `"`
		}, ErrMalformed, 0},
		{"headers entry repeated in another case", append(append([]string{}, fullCavage...), "Date"), func(s string) string {
			return `keyId="` + aliceKeyID + `",algorithm="rsa-sha256",headers="(request-target) host date digest Date",signature="` + s + `"`
		}, ErrMalformed, 0},
		{"a listed header the request lacks", append(append([]string{}, fullCavage...), "x-missing"), func(s string) string {
			return `keyId="` + aliceKeyID + `",algorithm="rsa-sha256",headers="(request-target) host date digest x-missing",signature="` + s + `"`
		}, ErrMalformed, 0},
		{"unquoted value that is not a token", fullCavage, func(s string) string {
			return `keyId=a"b,algorithm="rsa-sha256",` + full + `,signature="` + s + `"`
		}, ErrMalformed, 0},
		{"trailing comma", fullCavage, func(s string) string {
			return `keyId="` + aliceKeyID + `",algorithm="rsa-sha256",` + full + `,signature="` + s + `",`
		}, ErrMalformed, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			keys := aliceTable(t)
			req := cavageSigned(t, alice, body, tc.signed, tc.header)
			_, err := (&Verifier{Resolver: keys}).Verify(context.Background(), req, body)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
			if keys.lookups != tc.lookups {
				t.Errorf("key lookups = %d, want %d", keys.lookups, tc.lookups)
			}
		})
	}
}

func TestRFC9421OneParse(t *testing.T) {
	t.Parallel()
	alice, _ := testKeys(t)
	body := []byte(`{"type":"Follow","actor":"https://a.example/users/alice"}`)
	components := []string{"@method", "@target-uri", "@authority", "host", "date", "content-digest"}
	created := time.Now().Unix()
	params := fmt.Sprintf(`;keyid="%s";created=%d`, aliceKeyID, created)
	weak := fmt.Sprintf(`("date");keyid="%s";created=%d`, aliceKeyID, created)
	set := func(r *http.Request, input, signature string) {
		r.Header.Set("Signature-Input", "sig1="+input)
		r.Header.Set("Signature", "sig1=:"+signature+":")
	}
	cases := []struct {
		name       string
		components []string
		params     string
		write      func(r *http.Request, input, signature string)
		want       error
		lookups    int
	}{
		{"well-formed, as signed by hand", components, params, set, nil, 1},
		{"with alg, nonce and tag", components, params + `;alg="rsa-v1_5-sha256";nonce="n1";tag="fediverse"`, set, nil, 1},
		{"label twice in Signature-Input", components, params, func(r *http.Request, input, signature string) {
			r.Header.Set("Signature-Input", "sig1="+weak+", sig1="+input)
			r.Header.Set("Signature", "sig1=:"+signature+":")
		}, ErrMalformed, 0},
		{"label twice in Signature-Input, on two lines", components, params, func(r *http.Request, input, signature string) {
			r.Header.Add("Signature-Input", "sig1="+weak)
			r.Header.Add("Signature-Input", "sig1="+input)
			r.Header.Set("Signature", "sig1=:"+signature+":")
		}, ErrMalformed, 0},
		{"label twice in Signature", components, params, func(r *http.Request, input, signature string) {
			r.Header.Set("Signature-Input", "sig1="+input)
			r.Header.Set("Signature", "sig1=:AAAA:, sig1=:"+signature+":")
		}, ErrMalformed, 0},
		{"label twice in Signature, on two lines", components, params, func(r *http.Request, input, signature string) {
			r.Header.Set("Signature-Input", "sig1="+input)
			r.Header.Add("Signature", "sig1=:AAAA:")
			r.Header.Add("Signature", "sig1=:"+signature+":")
		}, ErrMalformed, 0},
		{"parameter repeated", components, params, func(r *http.Request, input, signature string) {
			r.Header.Set("Signature-Input", "sig1="+strings.Replace(input, `;keyid=`, `;keyid="https://evil.example/k";keyid=`, 1))
			r.Header.Set("Signature", "sig1=:"+signature+":")
		}, ErrMalformed, 0},
		{"unknown parameter", components, params + `;foo="bar"`, set, ErrMalformed, 0},
		{"component listed twice", append(append([]string{}, components...), "date"), params, set, ErrMalformed, 0},
		{"component in capitals", append(append([]string{}, components...), "Content-Type"), params, set, ErrMalformed, 0},
		{"alg as a token, not a string", components, params + `;alg=rsa-v1_5-sha256`, set, ErrMalformed, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			keys := aliceTable(t)
			req := rfc9421Signed(t, alice, body, tc.components, tc.params, tc.write)
			got, err := (&Verifier{Resolver: keys}).Verify(context.Background(), req, body)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
			if err == nil && got.Scheme != "rfc9421" {
				t.Errorf("scheme %q", got.Scheme)
			}
			if keys.lookups != tc.lookups {
				t.Errorf("key lookups = %d, want %d", keys.lookups, tc.lookups)
			}
		})
	}
}

// anyKeyIsAlice answers alice's key for every keyId and records the ids it was asked for.
type anyKeyIsAlice struct {
	key   *rsa.PublicKey
	asked []string
}

func (a *anyKeyIsAlice) PublicKey(_ context.Context, keyID string, _ bool) (VerifiedKey, error) {
	a.asked = append(a.asked, keyID)
	return VerifiedKey{KeyID: keyID, OwnerIRI: "https://a.example/users/alice", Key: a.key}, nil
}

func TestVerifyActorKeyOrigin(t *testing.T) {
	t.Parallel()
	alice, _ := testKeys(t)
	body := []byte(`{"type":"Follow"}`)
	const actor = "https://a.example/users/alice"
	cases := []struct {
		name  string
		keyID string
		actor string
		want  error
	}{
		{"same origin", aliceKeyID, actor, nil},
		{"host in capitals with a trailing dot", "https://A.Example./users/alice#main-key", actor, nil},
		{"default port spelled out", "https://a.example:443/users/alice#main-key", actor, nil},
		{"actor with the default port", aliceKeyID, "https://a.example:443/users/alice", nil},
		{"key on another host", "https://evil.example/users/alice#main-key", actor, ErrKeyOffOrigin},
		{"key on a subdomain", "https://x.a.example/users/alice#main-key", actor, ErrKeyOffOrigin},
		{"key on another port", "https://a.example:8443/users/alice#main-key", actor, ErrKeyOffOrigin},
		{"key over http", "http://a.example/users/alice#main-key", actor, ErrKeyOffOrigin},
		{"user info naming the actor's host", "https://a.example@evil.example/users/alice#main-key", actor, ErrKeyOffOrigin},
		{"relative key id", "/users/alice#main-key", actor, ErrKeyOffOrigin},
		{"no actor", aliceKeyID, "", ErrKeyOffOrigin},
	}
	schemes := []struct {
		name string
		sign func(keyID string) *http.Request
	}{
		{"draft-cavage", func(keyID string) *http.Request {
			return cavageSigned(t, alice, body, fullCavage, func(s string) string {
				return `keyId="` + keyID + `",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="` + s + `"`
			})
		}},
		{"rfc9421", func(keyID string) *http.Request {
			return fedifyRequest(t, alice, "rsa-v1_5-sha256", keyID, time.Now(), body, nil)
		}},
	}
	for _, scheme := range schemes {
		for _, tc := range cases {
			t.Run(scheme.name+"/"+tc.name, func(t *testing.T) {
				keys := &anyKeyIsAlice{key: &alice.PublicKey}
				verifier := &Verifier{Resolver: keys}
				_, err := verifier.VerifyActor(context.Background(), scheme.sign(tc.keyID), body, tc.actor)
				if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
					t.Fatalf("VerifyActor = %v, want %v", err, tc.want)
				}
				if tc.want != nil && len(keys.asked) != 0 {
					t.Errorf("the resolver was asked for %v before the origin was checked", keys.asked)
				}
				// Verify, for callers with no actor, does not look at the origin.
				if _, err := verifier.Verify(context.Background(), scheme.sign(tc.keyID), body); tc.keyID != "/users/alice#main-key" && err != nil {
					t.Errorf("Verify = %v", err)
				}
			})
		}
	}
}
