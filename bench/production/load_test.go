package production

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kring-social/kring/federation/activities"
	"github.com/kring-social/kring/federation/signing"
	"github.com/kring-social/kring/test/testenv"
)

// activityKind is what the benchmark sends a group.
type activityKind int

const (
	// directMessage is a Create of a Note addressed only to the group: acknowledged, then processed
	// into the group's support inbox (never announced): the first 20 an hour from each sender are
	// stored, the rest refused by that limit, in processing until a worker finds the sender past it,
	// then by the inbox, which acknowledges them without storing them.
	directMessage activityKind = iota
	// publicPost is a public Create of a Note to a group that takes anyone's posts: stored and, with
	// no followers, announced to nobody.
	publicPost
)

// signedRequest is one request, prepared and signed before the clock starts: the senders stand for
// remote servers, whose signing is not Kring's cost.
type signedRequest struct {
	url     string
	body    []byte
	headers http.Header
}

// signedActivities prepares n signed Creates of about 2 KiB, round-robin over the actors.
func signedActivities(b *testing.B, k *kringInProduction, actors []remoteActor, kind activityKind, n int, tag string) []signedRequest {
	b.Helper()
	padding := strings.Repeat("lorem ipsum ", 150)
	group := k.group(lobby)
	out := make([]signedRequest, n)
	var wg sync.WaitGroup
	cores := runtime.GOMAXPROCS(0)
	for w := 0; w < cores; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += cores {
				a := actors[i%len(actors)]
				to, cc := []string{group}, []string{}
				if kind == publicPost {
					to, cc = []string{activities.PublicCollection}, []string{group, a.iri + "/followers"}
				}
				note := map[string]any{"id": fmt.Sprintf("%s/notes/%s-%d", a.iri, tag, i), "type": "Note", "attributedTo": a.iri,
					"to": to, "cc": cc, "content": "<p>" + padding + "</p>", "published": time.Now().UTC().Format(time.RFC3339)}
				body, err := json.Marshal(map[string]any{"@context": "https://www.w3.org/ns/activitystreams",
					"id": fmt.Sprintf("%s/activities/%s-%d", a.iri, tag, i), "type": "Create", "actor": a.iri,
					"to": to, "cc": cc, "object": note})
				if err != nil {
					panic(err)
				}
				req, err := http.NewRequest(http.MethodPost, k.inbox(lobby), bytes.NewReader(body))
				if err != nil {
					panic(err)
				}
				req.Header.Set("Content-Type", "application/activity+json")
				if err := (signing.Signer{KeyID: a.iri + "#main-key", Key: a.key}).Sign(req, body); err != nil {
					panic(err)
				}
				out[i] = signedRequest{url: req.URL.String(), body: body, headers: req.Header}
			}
		}()
	}
	wg.Wait()
	return out
}

// senderClient is the remote servers' side: TLS to the proxy, keeping connections alive as
// Mastodon's and other servers' pools do.
func senderClient(ca *testenv.CA, conns int) *http.Client {
	return &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: ca.Pool}, MaxIdleConns: conns, MaxIdleConnsPerHost: conns,
		MaxConnsPerHost: conns, IdleConnTimeout: 90 * time.Second}}
}

// outcome is how one request ended, and when, measured from when it was due; and how late its
// sender started it: on a machine the senders share with Kring, a sender starved of CPU is late,
// and that delay is the load generator's, not Kring's.
type outcome struct {
	status  int // 0: the request failed
	latency time.Duration
	late    time.Duration
}

func post(client *http.Client, r signedRequest, due time.Time) outcome {
	late := time.Since(due)
	req, err := http.NewRequest(http.MethodPost, r.url, bytes.NewReader(r.body))
	if err != nil {
		return outcome{}
	}
	req.Header = r.headers.Clone()
	resp, err := client.Do(req)
	if err != nil {
		return outcome{latency: time.Since(due), late: late}
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return outcome{status: resp.StatusCode, latency: time.Since(due), late: late}
}

// closedLoop sends every request from senders goroutines, each sending its next as soon as its last
// was answered, and returns the outcomes and how long the sending took.
func closedLoop(client *http.Client, requests []signedRequest, senders int) ([]outcome, time.Duration) {
	outcomes := make([]outcome, len(requests))
	var next atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(requests) {
					return
				}
				outcomes[i] = post(client, requests[i], time.Now())
			}
		}()
	}
	wg.Wait()
	return outcomes, time.Since(start)
}

// openLoop sends the requests at a fixed rate, each when it is due whatever the answers to earlier
// ones (as independent servers do), and measures each one's latency from when it was due: a server
// that falls behind shows it in the latency, not in a lower offered rate.
func openLoop(client *http.Client, requests []signedRequest, perSecond int) ([]outcome, time.Duration) {
	outcomes := make([]outcome, len(requests))
	interval := time.Second / time.Duration(perSecond)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range requests {
		due := start.Add(time.Duration(i) * interval)
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			outcomes[i] = post(client, requests[i], due)
		}()
	}
	wg.Wait()
	return outcomes, time.Since(start)
}

// summary counts outcomes by status and gives the accepted ones' latency percentiles: from when
// due, how late their senders started them (p99Late), and from when started (p99Sent).
type summary struct {
	accepted, refused, other int // 202, 503, anything else (a failed request included)
	p50, p99                 time.Duration
	p99Late, p99Sent         time.Duration
}

func summarise(outcomes []outcome) summary {
	var s summary
	var latencies, late, sent []time.Duration
	for _, o := range outcomes {
		switch o.status {
		case http.StatusAccepted:
			s.accepted++
			latencies, late, sent = append(latencies, o.latency), append(late, o.late), append(sent, o.latency-o.late)
		case http.StatusServiceUnavailable:
			s.refused++
		default:
			s.other++
		}
	}
	if len(latencies) > 0 {
		s.p50, s.p99 = percentile(latencies, 50), percentile(latencies, 99)
		s.p99Late, s.p99Sent = percentile(late, 99), percentile(sent, 99)
	}
	return s
}

// percentile sorts durations and gives their p-th percentile.
func percentile(durations []time.Duration, p int) time.Duration {
	slices.Sort(durations)
	return durations[len(durations)*p/100]
}
