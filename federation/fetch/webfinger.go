package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"strings"

	"github.com/kring-social/kring/federation/jsonguard"
)

// maxWebFingerBody bounds a WebFinger answer: a few links fit in a few kilobytes, and nothing a
// server says about one account needs more.
const maxWebFingerBody = 64 << 10

// maxWebFingerDepth bounds a WebFinger answer's nesting (links with properties and titles).
const maxWebFingerDepth = 8

// ErrNoActor is a WebFinger answer that names no ActivityPub actor.
var ErrNoActor = errors.New("no ActivityPub actor for this account")

// webFingerAnswer is the part of a JRD Kring reads.
type webFingerAnswer struct {
	Subject string `json:"subject"`
	Links   []struct {
		Rel  string `json:"rel"`
		Type string `json:"type"`
		Href string `json:"href"`
	} `json:"links"`
}

// WebFinger asks host for the ActivityPub actor of acct:user@host and returns its id. host may carry
// a port. The answer is bounded in size and depth and must be one JSON object whose self link is an
// ActivityPub document at an http(s) URL; https is asked first, plain http only when the client
// allows it (development and tests).
func (c *Client) WebFinger(ctx context.Context, user, host string) (string, error) {
	resource := "acct:" + user + "@" + host
	schemes := []string{"https"}
	if c.opts.AllowHTTP {
		schemes = append(schemes, "http")
	}
	var lastErr error
	for _, scheme := range schemes {
		query := url.Values{"resource": {resource}}
		endpoint := scheme + "://" + host + "/.well-known/webfinger?" + query.Encode()
		_, body, err := c.get(ctx, endpoint, "application/jrd+json, application/json", false, maxWebFingerBody)
		if err != nil {
			lastErr = err
			continue
		}
		return actorOfWebFinger(body, resource)
	}
	return "", lastErr
}

// actorOfWebFinger reads the actor's id from a WebFinger answer about resource.
func actorOfWebFinger(body []byte, resource string) (string, error) {
	if err := jsonguard.CheckObject(body, maxWebFingerDepth); err != nil {
		return "", fmt.Errorf("WebFinger answer for %s: %w", resource, err)
	}
	var answer webFingerAnswer
	if err := json.Unmarshal(body, &answer); err != nil {
		return "", fmt.Errorf("WebFinger answer for %s: %w", resource, err)
	}
	for _, link := range answer.Links {
		if link.Rel != "self" || !isActivityStreamsLink(link.Type) {
			continue
		}
		if u, err := url.Parse(link.Href); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return "", fmt.Errorf("WebFinger answer for %s: self link %q is not a web address", resource, link.Href)
		}
		return link.Href, nil
	}
	return "", fmt.Errorf("WebFinger answer for %s: %w", resource, ErrNoActor)
}

// isActivityStreamsLink reports whether a link's type is an ActivityPub document's.
func isActivityStreamsLink(linkType string) bool {
	mediaType, params, err := mime.ParseMediaType(linkType)
	if err != nil {
		return false
	}
	return mediaType == "application/activity+json" ||
		mediaType == "application/ld+json" && strings.Contains(params["profile"], "https://www.w3.org/ns/activitystreams")
}
