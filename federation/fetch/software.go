package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/kring-social/kring/app/store"
)

// softwareRecheck is how long what a server said it runs is trusted: servers rarely change software.
const softwareRecheck = 24 * time.Hour

// Software learns which software remote servers run from their NodeInfo: it decides the shape of the
// group's Announces to them (FEP-1b12 servers take an Announce of the activity, microblogging ones of
// the object). What is learnt is kept in remote_hosts, so every process sees it.
type Software struct {
	client *Client
	store  *store.Store
	logger *slog.Logger
}

// NewSoftware returns a Software that fetches through client.
func NewSoftware(client *Client, st *store.Store, logger *slog.Logger) *Software {
	if logger == nil {
		logger = slog.Default()
	}
	return &Software{client: client, store: st, logger: logger}
}

// Learn asks the server of actorIRI what it runs, unless it was asked in the last day. A server that
// will not say is recorded as unknown (and gets the microblogging shape); Learn fails only when the
// database does.
func (s *Software) Learn(ctx context.Context, actorIRI string) error {
	u, err := url.Parse(actorIRI)
	if err != nil || u.Host == "" {
		return nil
	}
	host := HostOf(actorIRI)
	known, err := s.store.RemoteHostByName(ctx, host)
	if err == nil && known.SoftwareCheckedAt != nil && time.Since(*known.SoftwareCheckedAt) < softwareRecheck {
		return nil
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	name, fetchErr := s.ask(ctx, u.Scheme+"://"+u.Host)
	if fetchErr != nil {
		s.logger.InfoContext(ctx, "server software unknown", "host", host, "error", fetchErr)
	}
	return s.store.RecordHostSoftware(ctx, host, name)
}

// nodeInfoSchema prefixes the rel of the NodeInfo 2.x documents a server links to.
const nodeInfoSchema = "http://nodeinfo.diaspora.software/ns/schema/2."

func (s *Software) ask(ctx context.Context, base string) (string, error) {
	body, err := s.client.GetJSON(ctx, base+"/.well-known/nodeinfo", "application/json")
	if err != nil {
		return "", err
	}
	var links struct {
		Links []struct {
			Rel  string `json:"rel"`
			Href string `json:"href"`
		} `json:"links"`
	}
	if err := json.Unmarshal(body, &links); err != nil {
		return "", fmt.Errorf("read nodeinfo links of %s: %w", base, err)
	}
	for _, link := range links.Links {
		if !strings.HasPrefix(link.Rel, nodeInfoSchema) || !sameOrigin(link.Href, base) {
			continue
		}
		doc, err := s.client.GetJSON(ctx, link.Href, "application/json")
		if err != nil {
			return "", err
		}
		var info struct {
			Software struct {
				Name string `json:"name"`
			} `json:"software"`
		}
		if err := json.Unmarshal(doc, &info); err != nil {
			return "", fmt.Errorf("read nodeinfo of %s: %w", base, err)
		}
		return clip(strings.ToLower(strings.TrimSpace(info.Software.Name)), 64), nil
	}
	return "", fmt.Errorf("%s links no NodeInfo 2.x document on its own origin", base)
}
