package fetch

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/textinput"
)

// Mentions finds the accounts a group's post mentions: WebFinger on the handle's host, then the
// actor document it names, fetched and cached as every remote actor is (so its inbox is known when
// the post is delivered).
type Mentions struct {
	client *Client
	actors *Actors
}

// NewMentions returns a resolver that asks through client and keeps actors in actors.
func NewMentions(client *Client, actors *Actors) *Mentions {
	return &Mentions{client: client, actors: actors}
}

var _ conversations.MentionResolver = (*Mentions)(nil)

// ResolveMention looks up @user@host. The actor must live on the handle's host: a WebFinger
// answer cannot make a handle of one server stand for an account of another.
func (m *Mentions) ResolveMention(ctx context.Context, mention textinput.Mention) (conversations.MentionedActor, error) {
	iri, err := m.client.WebFinger(ctx, mention.User, mention.Host)
	if err != nil {
		return conversations.MentionedActor{}, err
	}
	if !sameHost(iri, mention.Host) {
		return conversations.MentionedActor{}, fmt.Errorf("%s: its WebFinger answer names %s, on another server", mention.Handle(), iri)
	}
	actor, err := m.actors.ResolveActor(ctx, iri)
	if err != nil {
		return conversations.MentionedActor{}, err
	}
	profile := webPage(actor.URL)
	if profile == "" {
		profile = actor.IRI
	}
	return conversations.MentionedActor{Handle: mention.Handle(), Username: mention.User, ActorIRI: actor.IRI, ProfileURL: profile}, nil
}

// sameHost reports whether iri is on host (a host name, with a port when the handle gave one).
func sameHost(iri, host string) bool {
	u, err := url.Parse(iri)
	if err != nil {
		return false
	}
	name, port, err := net.SplitHostPort(host)
	if err != nil {
		name, port = host, ""
	}
	return strings.EqualFold(strings.TrimSuffix(u.Hostname(), "."), strings.TrimSuffix(name, ".")) && (port == "" || u.Port() == port)
}

// webPage is raw when it is an http(s) URL, else "": a profile link a remote server chose must not
// be a javascript: one.
func webPage(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	return u.String()
}
