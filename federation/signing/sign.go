// Package signing signs Kring's outgoing requests and verifies incoming ones with HTTP signatures, as
// the fediverse uses them: draft-cavage-http-signatures (what Mastodon, GoToSocial, Lemmy and Fedify
// all accept). It never touches the network itself: keys come through a PublicKeyResolver.
package signing

import (
	"crypto/rsa"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-fed/httpsig"
)

// Signed headers. POSTs cover the body through Digest; GETs have no body. The Host header is signed
// in both, so a signature is good for one server only.
var (
	postHeaders = []string{httpsig.RequestTarget, "host", "date", "digest"}
	getHeaders  = []string{httpsig.RequestTarget, "host", "date"}
)

// Signer signs requests with one actor's key.
type Signer struct {
	KeyID string // the key's id, {actor}#main-key
	Key   *rsa.PrivateKey
}

// Sign adds Date, Host, Digest (when there is a body) and Signature headers to req. body must be
// the exact bytes req will send. Algorithm rsa-sha256: every peer accepts it.
func (s Signer) Sign(req *http.Request, body []byte) error {
	if s.Key == nil || s.KeyID == "" {
		return fmt.Errorf("sign %s %s: no key", req.Method, req.URL)
	}
	headers := getHeaders
	if len(body) > 0 || req.Method == http.MethodPost {
		headers = postHeaders
	}
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	// go-fed/httpsig reads every signed value from the header map, but Go's client sends req.Host:
	// both must say the same.
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	req.Header.Set("Host", host)
	signer, _, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.RSA_SHA256}, httpsig.DigestSha256, headers, httpsig.Signature, 0)
	if err != nil {
		return fmt.Errorf("prepare signer: %w", err)
	}
	// go-fed/httpsig signs URL.Path, the decoded path, but peers check the path as it is sent,
	// percent-encoded (draft-cavage's :path). Give it a view of req whose Path is the escaped one; the
	// header map is shared, so the headers it adds land on req.
	view := *req
	target := *req.URL
	target.Path, target.RawPath = req.URL.EscapedPath(), ""
	view.URL = &target
	if err := signer.SignRequest(s.Key, s.KeyID, &view, body); err != nil {
		return fmt.Errorf("sign %s %s: %w", req.Method, req.URL, err)
	}
	// go-fed/httpsig always names the algorithm hs2019. Say rsa-sha256, as Mastodon does: it is what
	// the signature is, every peer reads it, and the parameter is not part of the signed string.
	req.Header.Set("Signature", strings.Replace(req.Header.Get("Signature"), `algorithm="hs2019"`, `algorithm="rsa-sha256"`, 1))
	return nil
}
