package inbox_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/test/testenv"
)

// signWithKey signs text as rsa-sha256 (PKCS #1 v1.5) and returns it in base64.
func signWithKey(t *testing.T, key *rsa.PrivateKey, text string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(text))
	signature, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(signature)
}

// rfc9421Adjust replaces the draft-cavage signature with an RFC 9421 one by key over the request line,
// authority and Content-Digest, and lets inputField write the Signature-Input field from the signed
// member (`sig1=(...);keyid=...;created=...`).
func rfc9421Adjust(t *testing.T, key *rsa.PrivateKey, keyID string, body []byte, inputField func(member string) string) func(*http.Request) {
	return func(r *http.Request) {
		sum := sha256.Sum256(body)
		contentDigest := "sha-256=:" + base64.StdEncoding.EncodeToString(sum[:]) + ":"
		params := fmt.Sprintf(`("@method" "@target-uri" "@authority" "content-digest");keyid="%s";created=%d`, keyID, time.Now().Unix())
		base := strings.Join([]string{
			`"@method": POST`,
			`"@target-uri": https://` + r.URL.Host + r.URL.RequestURI(), // Kring is reached over https
			`"@authority": ` + r.URL.Host,
			`"content-digest": ` + contentDigest,
			`"@signature-params": ` + params,
		}, "\n")
		r.Header.Del("Digest")
		r.Header.Set("Content-Digest", contentDigest)
		r.Header.Set("Signature-Input", inputField("sig1="+params))
		r.Header.Set("Signature", "sig1=:"+signWithKey(t, key, base)+":")
	}
}

// A signature's coverage and what is verified come from one parse: a header that means one thing to
// the coverage check and another to the verification is refused with 401 and changes nothing.
func TestInboxSignatureCoverage(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	k := newKring(t, st)
	peer := newRemotePeer(t)
	aliceKey := peer.addUser("alice")
	alice := peer.actor("alice")
	aliceKeyID := alice + "#main-key"
	good := follow(alice+"/follows/1", alice, k.iris.GroupActor("lobby"))

	cases := []struct {
		name   string
		adjust func(*http.Request)
	}{
		{"Headers= claims full coverage, the signature covers date only", func(r *http.Request) {
			signature := signWithKey(t, aliceKey, "date: "+r.Header.Get("Date"))
			r.Header.Set("Signature", `keyId="`+aliceKeyID+`",algorithm="rsa-sha256",Headers="(request-target) host date digest",signature="`+signature+`"`)
		}},
		{"RFC 9421 label given twice, the weaker one first", rfc9421Adjust(t, aliceKey, aliceKeyID, good, func(member string) string {
			return fmt.Sprintf(`sig1=("date");keyid="%s";created=%d, %s`, aliceKeyID, time.Now().Unix(), member)
		})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if status := k.post(t, "/groups/lobby/inbox", good, aliceKeyID, aliceKey, tc.adjust); status != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", status)
			}
		})
	}
	var stored int64
	if err := st.DB().Model(&model.InboundActivity{}).Count(&stored).Error; err != nil {
		t.Fatal(err)
	}
	if tasks := queued(t, st, tasks.TypeProcessInbound); stored != 0 || len(tasks) != 0 {
		t.Fatalf("refused requests changed something: %d activities stored, %d tasks queued", stored, len(tasks))
	}
	// The same RFC 9421 signature with its label once is accepted, and so is the draft-cavage one as
	// Kring's signer writes it: the refusals were for the reasons named.
	once := rfc9421Adjust(t, aliceKey, aliceKeyID, good, func(member string) string { return member })
	if status := k.post(t, "/groups/lobby/inbox", good, aliceKeyID, aliceKey, once); status != http.StatusAccepted {
		t.Fatalf("RFC 9421, label once: status %d", status)
	}
	if status := k.post(t, "/groups/lobby/inbox", good, aliceKeyID, aliceKey, nil); status != http.StatusAccepted {
		t.Fatalf("draft-cavage as signed by Kring: status %d", status)
	}
}
