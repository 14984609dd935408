// Package fetch is Kring's one door to other servers: every outbound HTTP request goes through its
// Client, which refuses private addresses unless allowed, bounds sizes, times and redirects, signs
// what it sends, and checks what it gets back before anyone reads it.
package fetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kring-social/kring/federation/jsonguard"
	"github.com/kring-social/kring/federation/signing"
)

// Options configure a Client.
type Options struct {
	UserAgent string         // "Kring/<version> (+<public URL>)": GoToSocial answers 418 without one
	Allow     []netip.Prefix // addresses reachable although private (KRING_FETCH_ALLOW)
	AllowHTTP bool           // plain http, for development and tests; production is https only
	Signer    signing.Signer // the instance actor's key, for signed GETs
	MaxBody   int64          // DefaultMaxBody when zero
	Timeout   time.Duration  // DefaultTimeout when zero: the whole request, not each read
	TLS       *tls.Config    // nil for the system's roots; tests give a throwaway CA
}

// Limits on remote requests (INTEROP defences 7 and 9).
const (
	DefaultMaxBody = 1 << 20
	DefaultTimeout = 30 * time.Second
	maxRedirects   = 5
)

// Errors a fetch may end with.
var (
	ErrScheme      = errors.New("URL scheme not allowed")
	ErrTooLarge    = errors.New("response too large")
	ErrStatus      = errors.New("unexpected response status")
	ErrContentType = errors.New("not an ActivityPub document")
	ErrIDMismatch  = errors.New("document id is not the URL it was fetched from")
	ErrGone        = errors.New("gone")
)

// Client makes Kring's outbound requests.
type Client struct {
	http *http.Client
	opts Options
}

// NewClient builds a Client.
func NewClient(opts Options) *Client {
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	transport := &http.Transport{
		DialContext:           guardedDialer(opts.Allow, 10*time.Second),
		TLSClientConfig:       resumingSessions(opts.TLS),
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 20 * time.Second,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       90 * time.Second,
		// HTTP/1.1 only. A delivery or a fetch is mostly one request to a server before its
		// connection idles out, and HTTP/2 costs a connection more than it saves there: its
		// preface, settings and window frames each way, a reading goroutine per connection and its
		// framing of every request (about 7 % of a fan-out's worker CPU in a profile). Mastodon's
		// own deliveries are HTTP/1.1; the per-host slots bound how many connections one server gets.
		ForceAttemptHTTP2: false,
	}
	c := &Client{opts: opts}
	c.http = &http.Client{Transport: transport, CheckRedirect: c.checkRedirect}
	return c
}

// tlsSessionsKept is how many servers' TLS sessions a client keeps for resumption: about the
// number of distinct servers a busy group's followers are on.
const tlsSessionsKept = 4096

// resumingSessions is config (nil: the system's roots) with a cache of TLS sessions. A server seen
// before that hands out session tickets is then reached with a resumed handshake: no certificate
// chain to parse and verify, no handshake signature to check. Fan-out reconnects to every follower's
// server whenever a post comes after its idle connection was closed; without the cache each of those
// is a full handshake.
func resumingSessions(config *tls.Config) *tls.Config {
	if config == nil {
		config = &tls.Config{}
	} else {
		config = config.Clone()
	}
	if config.ClientSessionCache == nil {
		config.ClientSessionCache = tls.NewLRUClientSessionCache(tlsSessionsKept)
	}
	return config
}

func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	if err := c.checkScheme(req.URL); err != nil {
		return err
	}
	if req.Method == http.MethodGet && c.opts.Signer.Key != nil && via[0].Header.Get("Signature") != "" {
		// A signature covers one host and path: sign the redirected request afresh.
		req.Header.Del("Signature")
		return c.opts.Signer.Sign(req, nil)
	}
	return nil
}

func (c *Client) checkScheme(u *url.URL) error {
	if u.Scheme == "https" || (u.Scheme == "http" && c.opts.AllowHTTP) {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrScheme, u.Redacted())
}

// Document is a fetched ActivityPub document.
type Document struct {
	Body     []byte
	FinalURL string // after redirects; the document's id equals it
}

// GetActivityJSON fetches an ActivityPub document with a signed GET and checks it: status 200, an
// ActivityStreams media type, one JSON object of bounded depth, and an id equal to the final URL
// (CVE-2024-25623: otherwise anyone who can upload a file to a server could impersonate its actors).
func (c *Client) GetActivityJSON(ctx context.Context, iri string) (Document, error) {
	resp, body, err := c.get(ctx, iri, `application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, true, c.opts.MaxBody)
	if err != nil {
		return Document{}, err
	}
	if !isActivityStreams(resp.Header.Get("Content-Type")) {
		return Document{}, fmt.Errorf("%w: %s answered %q", ErrContentType, iri, resp.Header.Get("Content-Type"))
	}
	if err := jsonguard.CheckObject(body, jsonguard.DefaultMaxDepth); err != nil {
		return Document{}, fmt.Errorf("fetch %s: %w", iri, err)
	}
	final := resp.Request.URL.String()
	id, err := documentID(body)
	if err != nil || id != final {
		return Document{}, fmt.Errorf("%w: fetched %s, id %q", ErrIDMismatch, final, id)
	}
	return Document{Body: body, FinalURL: final}, nil
}

// GetJSON fetches a plain JSON document such as a WebFinger answer, unsigned.
func (c *Client) GetJSON(ctx context.Context, rawURL, accept string) ([]byte, error) {
	_, body, err := c.get(ctx, rawURL, accept, false, c.opts.MaxBody)
	return body, err
}

// get fetches rawURL, refusing an answer other than 200 and a body over maxBody bytes.
func (c *Client) get(ctx context.Context, rawURL, accept string, signed bool, maxBody int64) (*http.Response, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := c.newRequest(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Accept", accept)
	if signed && c.opts.Signer.Key != nil {
		if err := c.opts.Signer.Sign(req, nil); err != nil {
			return nil, nil, err
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusGone:
		return nil, nil, fmt.Errorf("fetch %s: %w", rawURL, ErrGone)
	case resp.StatusCode != http.StatusOK:
		return nil, nil, fmt.Errorf("%w: %s answered %d", ErrStatus, rawURL, resp.StatusCode)
	}
	body, err := readBody(resp, maxBody)
	if err != nil {
		return nil, nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	return resp, body, nil
}

func (c *Client) newRequest(ctx context.Context, method, rawURL string, body []byte) (*http.Request, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL", rawURL)
	}
	if err := c.checkScheme(u); err != nil {
		return nil, err
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%q has no host", rawURL)
	}
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), reader)
	if err != nil {
		return nil, fmt.Errorf("build request for %s: %w", u.Redacted(), err)
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	return req, nil
}

// readBody reads at most max bytes, refusing a larger declared or actual body.
func readBody(resp *http.Response, max int64) ([]byte, error) {
	if resp.ContentLength > max {
		return nil, ErrTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(body)) > max {
		return nil, ErrTooLarge
	}
	return body, nil
}

// PostResult is a server's answer to a delivery.
type PostResult struct {
	Status     int
	RetryAfter time.Duration // from a Retry-After header; zero when none
}

// Post delivers an activity: a POST of body to inbox, signed by signer. The answer's body is read
// (bounded) and dropped so the connection can be reused.
func (c *Client) Post(ctx context.Context, inbox string, body []byte, signer signing.Signer) (PostResult, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := c.newRequest(ctx, http.MethodPost, inbox, body)
	if err != nil {
		return PostResult{}, err
	}
	req.Header.Set("Content-Type", `application/activity+json`)
	req.Header.Set("Accept", "application/activity+json, application/ld+json")
	// A delivery is idempotent (servers keep an activity once, by its id). Saying so lets Go's
	// transport send it again at once on a new connection when a kept-alive one turns out to have
	// been closed by the server as the request went out (a "connection reset" that would otherwise
	// wait for the retry schedule); Go replays only requests that carry this header.
	req.Header.Set("Idempotency-Key", deliveryKey(body))
	if err := signer.Sign(req, body); err != nil {
		return PostResult{}, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return PostResult{}, fmt.Errorf("deliver to %s: %w", inbox, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return PostResult{Status: resp.StatusCode, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}, nil
}

// deliveryKey names a delivery by what it sends: the same activity body is the same delivery.
func deliveryKey(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:16])
}

// parseRetryAfter reads seconds or an HTTP date; zero when absent or nonsense.
func parseRetryAfter(value string, now time.Time) time.Duration {
	if value == "" {
		return 0
	}
	if seconds, err := strconv.Atoi(strings.TrimSpace(value)); err == nil && seconds > 0 {
		return time.Duration(seconds) * time.Second
	}
	if at, err := http.ParseTime(value); err == nil && at.After(now) {
		return at.Sub(now)
	}
	return 0
}

// isActivityStreams accepts application/activity+json and application/ld+json with the
// ActivityStreams profile, however the profile is quoted.
func isActivityStreams(contentType string) bool {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch strings.ToLower(mediaType) {
	case "application/activity+json":
		return true
	case "application/ld+json":
		return strings.Contains(params["profile"], "https://www.w3.org/ns/activitystreams")
	}
	return false
}
