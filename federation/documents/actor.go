// Package documents serves what other servers and people read about Kring's actors: WebFinger,
// NodeInfo, the group and instance actor documents and the groups' collections.
package documents

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/textinput"
	"github.com/kring-social/kring/federation"
	"github.com/kring-social/kring/federation/activities"
)

// actorContext is the @context of Kring's actors: the two contexts every peer bundles, and inline
// term definitions for Mastodon's extensions, so no peer has to load a context from the network.
var actorContext = []any{
	"https://www.w3.org/ns/activitystreams",
	"https://w3id.org/security/v1",
	map[string]any{
		"manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
		"toot":                      "http://joinmastodon.org/ns#",
		"discoverable":              "toot:discoverable",
		"featured":                  map[string]any{"@id": "toot:featured", "@type": "@id"},
	},
}

// GroupActor is the ActivityPub document of a group. Properties go-fed's vocabulary lacks
// (endpoints, manuallyApprovesFollowers, discoverable, featured) are added after serialization.
func GroupActor(iris federation.IRIs, group model.Group, key model.SigningKey) ([]byte, error) {
	actorIRI := iris.GroupActor(group.Slug)
	g := streams.NewActivityStreamsGroup()
	if err := setIRIs(g, actorIRI, iris.GroupInbox(group.Slug), iris.GroupOutbox(group.Slug), iris.GroupFollowers(group.Slug)); err != nil {
		return nil, err
	}
	username := streams.NewActivityStreamsPreferredUsernameProperty()
	username.SetXMLSchemaString(group.Slug)
	g.SetActivityStreamsPreferredUsername(username)
	name := streams.NewActivityStreamsNameProperty()
	name.AppendXMLSchemaString(group.Name)
	g.SetActivityStreamsName(name)
	if group.Summary != "" {
		summary := streams.NewActivityStreamsSummaryProperty()
		summary.AppendXMLSchemaString(textinput.TextToHTML(group.Summary))
		g.SetActivityStreamsSummary(summary)
	}
	page, err := url.Parse(actorIRI)
	if err != nil {
		return nil, err
	}
	pageProperty := streams.NewActivityStreamsUrlProperty()
	pageProperty.AppendIRI(page)
	g.SetActivityStreamsUrl(pageProperty)
	published := streams.NewActivityStreamsPublishedProperty()
	published.Set(group.CreatedAt.UTC().Truncate(time.Second))
	g.SetActivityStreamsPublished(published)
	moderators, err := url.Parse(iris.GroupModerators(group.Slug))
	if err != nil {
		return nil, err
	}
	attributedTo := streams.NewActivityStreamsAttributedToProperty()
	attributedTo.AppendIRI(moderators) // Lemmy and FEP-1b12 read the moderators from here
	g.SetActivityStreamsAttributedTo(attributedTo)
	if err := setPublicKey(g, actorIRI, key); err != nil {
		return nil, err
	}
	if err := setPictures(g, iris, group); err != nil {
		return nil, err
	}
	return serializeActor(g, map[string]any{
		"endpoints":                 map[string]any{"sharedInbox": iris.SharedInbox()},
		"manuallyApprovesFollowers": group.ApproveFollowers,
		"discoverable":              group.Discoverable,
		"featured":                  iris.GroupFeatured(group.Slug),
	})
}

// setPictures gives the actor its avatar as icon and its header as image, each an Image with the
// URL Kring serves it at and its media type, as Mastodon reads them.
func setPictures(g vocab.ActivityStreamsGroup, iris federation.IRIs, group model.Group) error {
	if group.AvatarPath != "" {
		avatar, err := pictureOf(iris, group.AvatarPath)
		if err != nil {
			return err
		}
		icon := streams.NewActivityStreamsIconProperty()
		icon.AppendActivityStreamsImage(avatar)
		g.SetActivityStreamsIcon(icon)
	}
	if group.HeaderPath != "" {
		header, err := pictureOf(iris, group.HeaderPath)
		if err != nil {
			return err
		}
		image := streams.NewActivityStreamsImageProperty()
		image.AppendActivityStreamsImage(header)
		g.SetActivityStreamsImage(image)
	}
	return nil
}

func pictureOf(iris federation.IRIs, name string) (vocab.ActivityStreamsImage, error) {
	u, err := url.Parse(iris.Base() + groups.MediaURLPath + name)
	if err != nil {
		return nil, fmt.Errorf("picture %s: %w", name, err)
	}
	picture := streams.NewActivityStreamsImage()
	urlProperty := streams.NewActivityStreamsUrlProperty()
	urlProperty.AppendIRI(u)
	picture.SetActivityStreamsUrl(urlProperty)
	mediaType := streams.NewActivityStreamsMediaTypeProperty()
	mediaType.Set(groups.MediaType(name))
	picture.SetActivityStreamsMediaType(mediaType)
	return picture, nil
}

// InstanceActor is the document of the actor that signs Kring's server-level requests.
func InstanceActor(iris federation.IRIs, key model.SigningKey) ([]byte, error) {
	actorIRI := iris.InstanceActor()
	app := streams.NewActivityStreamsApplication()
	if err := setIRIs(app, actorIRI, actorIRI+"/inbox", actorIRI+"/outbox", ""); err != nil {
		return nil, err
	}
	host, _, _ := strings.Cut(iris.Host(), ":")
	username := streams.NewActivityStreamsPreferredUsernameProperty()
	username.SetXMLSchemaString(host)
	app.SetActivityStreamsPreferredUsername(username)
	base, err := url.Parse(iris.Base())
	if err != nil {
		return nil, err
	}
	page := streams.NewActivityStreamsUrlProperty()
	page.AppendIRI(base)
	app.SetActivityStreamsUrl(page)
	if err := setPublicKey(app, actorIRI, key); err != nil {
		return nil, err
	}
	return serializeActor(app, map[string]any{
		"endpoints":                 map[string]any{"sharedInbox": iris.SharedInbox()},
		"manuallyApprovesFollowers": true, // nobody follows the instance actor
	})
}

// actor is what Group and Application share.
type actor interface {
	vocab.Type
	SetActivityStreamsInbox(vocab.ActivityStreamsInboxProperty)
	SetActivityStreamsOutbox(vocab.ActivityStreamsOutboxProperty)
	SetActivityStreamsFollowers(vocab.ActivityStreamsFollowersProperty)
	SetW3IDSecurityV1PublicKey(vocab.W3IDSecurityV1PublicKeyProperty)
}

func setIRIs(a actor, id, inbox, outbox, followers string) error {
	parsed := map[string]*url.URL{}
	for name, raw := range map[string]string{"id": id, "inbox": inbox, "outbox": outbox, "followers": followers} {
		if raw == "" {
			continue
		}
		u, err := url.Parse(raw)
		if err != nil {
			return fmt.Errorf("actor %s: %w", name, err)
		}
		parsed[name] = u
	}
	a.SetJSONLDId(activities.IDProperty(parsed["id"]))
	inboxProperty := streams.NewActivityStreamsInboxProperty()
	inboxProperty.SetIRI(parsed["inbox"])
	a.SetActivityStreamsInbox(inboxProperty)
	outboxProperty := streams.NewActivityStreamsOutboxProperty()
	outboxProperty.SetIRI(parsed["outbox"])
	a.SetActivityStreamsOutbox(outboxProperty)
	if u := parsed["followers"]; u != nil {
		followersProperty := streams.NewActivityStreamsFollowersProperty()
		followersProperty.SetIRI(u)
		a.SetActivityStreamsFollowers(followersProperty)
	}
	return nil
}

func setPublicKey(a actor, actorIRI string, key model.SigningKey) error {
	keyID, err := url.Parse(actorIRI + "#" + key.KeySuffix)
	if err != nil {
		return err
	}
	owner, err := url.Parse(actorIRI)
	if err != nil {
		return err
	}
	publicKey := streams.NewW3IDSecurityV1PublicKey()
	publicKey.SetJSONLDId(activities.IDProperty(keyID))
	ownerProperty := streams.NewW3IDSecurityV1OwnerProperty()
	ownerProperty.SetIRI(owner)
	publicKey.SetW3IDSecurityV1Owner(ownerProperty)
	pemProperty := streams.NewW3IDSecurityV1PublicKeyPemProperty()
	pemProperty.Set(key.PublicPEM)
	publicKey.SetW3IDSecurityV1PublicKeyPem(pemProperty)
	property := streams.NewW3IDSecurityV1PublicKeyProperty()
	property.AppendW3IDSecurityV1PublicKey(publicKey)
	a.SetW3IDSecurityV1PublicKey(property)
	return nil
}

// serializeActor serializes with go-fed, adds extra properties and sets Kring's @context.
func serializeActor(a vocab.Type, extra map[string]any) ([]byte, error) {
	m, err := streams.Serialize(a)
	if err != nil {
		return nil, fmt.Errorf("serialize %s: %w", a.GetTypeName(), err)
	}
	for k, v := range extra {
		m[k] = v
	}
	m["@context"] = actorContext
	return json.Marshal(m)
}
