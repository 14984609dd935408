package fetch

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// webFingerServer answers WebFinger with body for acct:alice@<its host>, and 404 for anyone else.
func webFingerServer(t *testing.T, body func(base string) string) (host string) {
	t.Helper()
	base := server(t, func(base string, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/webfinger" || r.URL.Query().Get("resource") != "acct:alice@"+strings.TrimPrefix(base, "http://") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/jrd+json")
		_, _ = w.Write([]byte(body(base)))
	})
	return strings.TrimPrefix(base, "http://")
}

// TestWebFingerFindsTheActor: the self link of an ActivityPub type is the actor, whichever of the
// two media types names it.
func TestWebFingerFindsTheActor(t *testing.T) {
	t.Parallel()
	client := NewClient(Options{UserAgent: "Kring/test", Allow: loopback, AllowHTTP: true})
	for _, linkType := range []string{`application/activity+json`, `application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"`} {
		host := webFingerServer(t, func(base string) string {
			return `{"subject":"acct:alice@x","links":[{"rel":"http://webfinger.net/rel/profile-page","type":"text/html","href":"` + base +
				`/@alice"},{"rel":"self","type":"` + linkType + `","href":"` + base + `/users/alice"}]}`
		})
		iri, err := client.WebFinger(context.Background(), "alice", host)
		if err != nil || iri != "http://"+host+"/users/alice" {
			t.Errorf("%s: %q %v", linkType, iri, err)
		}
	}
	host := webFingerServer(t, func(string) string { return `{}` })
	if _, err := client.WebFinger(context.Background(), "nobody", host); !errors.Is(err, ErrStatus) {
		t.Errorf("an unknown account: %v, want the 404", err)
	}
}

// TestWebFingerRefusesHostileAnswers: a huge answer, one that is not one JSON object, nested too
// deep, with duplicate keys, without an ActivityPub self link, or whose self link is not a web
// address, names no actor.
func TestWebFingerRefusesHostileAnswers(t *testing.T) {
	t.Parallel()
	client := NewClient(Options{UserAgent: "Kring/test", Allow: loopback, AllowHTTP: true})
	for name, body := range map[string]string{
		"huge":           `{"aliases":["` + strings.Repeat("a", 65<<10) + `"],"links":[{"rel":"self","type":"application/activity+json","href":"https://x.example/a"}]}`,
		"not JSON":       `<html>alice</html>`,
		"trailing data":  `{"links":[]} {"links":[]}`,
		"an array":       `[{"rel":"self"}]`,
		"too deep":       `{"links":[{"properties":{"a":{"b":{"c":{"d":{"e":{"f":{"g":{}}}}}}}}}]}`,
		"duplicate keys": `{"links":[],"links":[{"rel":"self","type":"application/activity+json","href":"https://evil.example/a"}]}`,
		"no self link":   `{"links":[{"rel":"http://webfinger.net/rel/profile-page","type":"text/html","href":"https://x.example/@alice"}]}`,
		"script link":    `{"links":[{"rel":"self","type":"application/activity+json","href":"javascript:alert(1)"}]}`,
	} {
		host := webFingerServer(t, func(string) string { return body })
		if iri, err := client.WebFinger(context.Background(), "alice", host); err == nil {
			t.Errorf("%s: took %q", name, iri)
		}
	}
}

// TestWebFingerInProductionRefusesPrivateAddresses: with production's options (https only, no
// allow-list), a handle whose host is loopback is refused when dialling, by IP and by name.
func TestWebFingerInProductionRefusesPrivateAddresses(t *testing.T) {
	t.Parallel()
	host := webFingerServer(t, func(base string) string {
		return `{"links":[{"rel":"self","type":"application/activity+json","href":"` + base + `/users/alice"}]}`
	})
	port := host[strings.LastIndex(host, ":")+1:]
	production := NewClient(Options{UserAgent: "Kring/test"})
	for _, h := range []string{host, "localhost:" + port, "[::1]:" + port} {
		if _, err := production.WebFinger(context.Background(), "alice", h); !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("WebFinger on %s: %v, want a forbidden address", h, err)
		}
	}
}

func TestSameHost(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		iri, host string
		want      bool
	}{
		{"https://social.example/users/a", "social.example", true},
		{"https://Social.Example./users/a", "social.example", true},
		{"http://127.0.0.1:8080/users/a", "127.0.0.1:8080", true},
		{"http://127.0.0.1:9090/users/a", "127.0.0.1:8080", false},
		{"https://evil.example/users/a", "social.example", false},
		{"https://social.example.evil.example/users/a", "social.example", false},
	} {
		if got := sameHost(c.iri, c.host); got != c.want {
			t.Errorf("sameHost(%s, %s) = %t", c.iri, c.host, got)
		}
	}
}
