package signing

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// Headers as peers send them (signatures shortened), for both fuzz targets' seeds; more seeds are
// checked in under testdata/fuzz.
var (
	cavageSeeds = []string{
		// Mastodon
		`keyId="https://mastodon.example/users/alice#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest content-type",signature="c2lnbmF0dXJl"`,
		// GoToSocial (go-fed/httpsig names every algorithm hs2019)
		`keyId="https://gts.example/users/bob/main-key",algorithm="hs2019",headers="(request-target) host date digest",signature="c2lnbmF0dXJl"`,
		// Fedify
		`keyId="https://fedify.example/users/carol#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="c2lnbmF0dXJl"`,
		// Misskey orders them differently
		`keyId="https://misskey.example/users/9abc#main-key",algorithm="rsa-sha256",headers="(request-target) date host digest",signature="c2lnbmF0dXJl"`,
		// The draft's own example, with (created) and (expires)
		`keyId="Test",algorithm="hs2019",created=1402170695,expires=1402170699,headers="(request-target) (created) (expires) host date digest",signature="c2lnbmF0dXJl"`,
		// Spaces after the commas, a token value
		`keyId="https://a.example/k", algorithm=hs2019, headers="(request-target) host date", signature="c2lnbmF0dXJl"`,
		// Hostile: a parameter in another case, repeated ones
		`keyId="k",Headers="(request-target) host date digest",signature="c2lnbmF0dXJl"`,
		`keyId="k",keyId="j",headers="date",signature="c2lnbmF0dXJl"`,
		`keyId="k",headers="date date",signature="c2lnbmF0dXJl"`,
	}
	rfc9421Seeds = [][2]string{
		// Fedify 2.x
		{`sig1=("@method" "@target-uri" "@authority" "host" "date" "content-digest");alg="rsa-v1_5-sha256";keyid="https://fedify.example/users/carol#main-key";created=1719000000`, `sig1=:c2lnbmF0dXJl:`},
		// Mastodon 4.5
		{`sig1=("@method" "@target-uri" "content-digest");keyid="https://mastodon.example/users/alice#main-key";created=1719000000`, `sig1=:c2lnbmF0dXJl:`},
		// Two labels, expires and a nonce
		{`sig1=("@method" "@authority" "@path");keyid="k";created=1;expires=2;nonce="n", sig2=("@method");keyid="j";created=3;tag="t"`, `sig2=:c2ln:, sig1=:c2lnbmF0dXJl:`},
		// Hostile: a label, a parameter, a component given twice
		{`sig1=("date");keyid="k";created=1, sig1=("@method" "@target-uri");keyid="k";created=1`, `sig1=:c2lnbmF0dXJl:`},
		{`sig1=("@method");keyid="e";keyid="k";created=1`, `sig1=:AAAA:, sig1=:c2lnbmF0dXJl:`},
		{"sig1=(\"@method\" \"@method\");keyid=\"k\";created=1\nsig1=(\"date\");keyid=\"k\";created=1", `sig1=:c2ln:`},
	}
)

// fuzzRequest is a request whose every header a signature may name is present.
func fuzzRequest() *http.Request {
	req := httptest.NewRequest(http.MethodPost, "https://kring.example/groups/lobby/inbox?x=1", nil)
	req.Header.Set("Date", "Tue, 07 Jun 2014 20:51:35 GMT")
	req.Header.Set("Digest", "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=")
	req.Header.Set("Content-Digest", "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:")
	req.Header.Set("Content-Type", "application/activity+json")
	return req
}

// FuzzSignatureHeader: the draft-cavage parser never panics, refuses with the verifier's errors, keeps
// its bounds, and what it accepts reads back identically once written in the canonical spelling.
func FuzzSignatureHeader(f *testing.F) {
	for _, seed := range cavageSeeds {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		p, err := parseSignatureHeader(header)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrHeadersNotSigned) {
				t.Fatalf("refused with %v", err)
			}
			return
		}
		if len(header) > maxSignatureHeader || len(p.headers) == 0 || len(p.headers) > maxSignedHeaders || p.keyID == "" || len(p.signature) == 0 {
			t.Fatalf("accepted out of bounds: %q gives %+v", header, p)
		}
		seen := map[string]bool{}
		for _, h := range p.headers {
			if seen[h] || h != strings.ToLower(h) {
				t.Fatalf("headers %q: repeated or not lowercase", p.headers)
			}
			seen[h] = true
		}
		again, err := parseSignatureHeader(p.String())
		if err != nil {
			t.Fatalf("%q re-serialised as %q does not parse: %v", header, p.String(), err)
		}
		if !reflect.DeepEqual(p, again) {
			t.Fatalf("%q re-parses as %+v, not %+v", header, again, p)
		}
		if signed, err := p.signingString(fuzzRequest()); err == nil && strings.Count(signed, "\n") != len(p.headers)-1 {
			t.Fatalf("signing string of %d lines for %d headers: %q", strings.Count(signed, "\n")+1, len(p.headers), signed)
		}
	})
}

// FuzzSignatureInput: the RFC 9421 fields (lines separated by "\n") never make the parser panic; each
// dictionary it accepts re-serialises to one that parses identically; a signature it accepts has
// distinct components within bounds, and its signature parameters are the serialization of what was
// parsed.
func FuzzSignatureInput(f *testing.F) {
	for _, seed := range rfc9421Seeds {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, input, signature string) {
		inputLines, signatureLines := strings.Split(input, "\n"), strings.Split(signature, "\n")
		for _, lines := range [][]string{inputLines, signatureLines} {
			members, err := parseSFDictionary(lines)
			if err != nil {
				continue
			}
			keys := map[string]bool{}
			for _, m := range members {
				if keys[m.key] {
					t.Fatalf("key %q accepted twice in %q", m.key, lines)
				}
				keys[m.key] = true
			}
			written := serializeSFDictionary(members)
			again, err := parseSFDictionary([]string{written})
			if err != nil {
				t.Fatalf("%q re-serialised as %q does not parse: %v", lines, written, err)
			}
			if !reflect.DeepEqual(members, again) {
				t.Fatalf("%q re-parses as %+v, not %+v", lines, again, members)
			}
		}

		req := fuzzRequest()
		req.Header["Signature-Input"] = inputLines
		req.Header["Signature"] = signatureLines
		sig, err := readRFC9421(req)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("refused with %v", err)
			}
			return
		}
		if fieldLength(inputLines) > maxSignatureHeader || len(sig.components) > maxSignedHeaders || sig.keyID == "" || sig.created <= 0 {
			t.Fatalf("accepted out of bounds: %+v", sig)
		}
		seen := map[string]bool{}
		for _, c := range sig.components {
			if seen[c] {
				t.Fatalf("component %s accepted twice", c)
			}
			seen[c] = true
		}
		params, err := parseSFDictionary([]string{sig.label + "=" + sig.params})
		if err != nil || len(params) != 1 {
			t.Fatalf("signature parameters %q do not parse: %v", sig.params, err)
		}
		var b strings.Builder
		params[0].serialize(&b)
		if b.String() != sig.params {
			t.Fatalf("signature parameters %q re-serialise as %q", sig.params, b.String())
		}
		_, _ = (&Verifier{}).signatureBase(req, sig) // must not panic
	})
}
