// Package federation names Kring's ActivityPub identifiers: IRIs builds the ids of the local actors,
// collections, posts and activities, and reads group slugs back out of them. The ActivityPub work
// itself lives in its subpackages: documents (actors, collections, WebFinger, NodeInfo), inbox,
// signing, fetch (safe remote fetching), delivery, outbox and activities.
package federation

import (
	"net/url"
	"strings"
)

// IRIs builds the identifiers of Kring's local objects. They are permanent once another server has
// seen them, so this is the one place they are spelled.
type IRIs struct {
	base string // scheme://host, no trailing slash
	host string
}

// NewIRIs derives IRIs from the public URL people and servers reach Kring at.
func NewIRIs(publicURL *url.URL) IRIs {
	return IRIs{base: strings.TrimSuffix(publicURL.Scheme+"://"+publicURL.Host, "/"), host: publicURL.Host}
}

// Host is the domain part of handles such as @lobby@host.
func (i IRIs) Host() string { return i.host }

// GroupActor is a group's actor id, which is also its public page.
func (i IRIs) GroupActor(slug string) string { return i.base + "/groups/" + slug }

// GroupHandle is the handle people type into their app to find a group.
func (i IRIs) GroupHandle(slug string) string { return "@" + slug + "@" + i.host }

// InstanceActor is the id of the instance actor, which signs server-level requests.
func (i IRIs) InstanceActor() string { return i.base + "/actor" }

// Collections and endpoints of a group actor.
func (i IRIs) GroupInbox(slug string) string      { return i.GroupActor(slug) + "/inbox" }
func (i IRIs) GroupOutbox(slug string) string     { return i.GroupActor(slug) + "/outbox" }
func (i IRIs) GroupFollowers(slug string) string  { return i.GroupActor(slug) + "/followers" }
func (i IRIs) GroupFeatured(slug string) string   { return i.GroupActor(slug) + "/featured" }
func (i IRIs) GroupModerators(slug string) string { return i.GroupActor(slug) + "/moderators" }

// GroupRules is where people read a group's rules: the rules section of its public page.
func (i IRIs) GroupRules(slug string) string { return i.GroupActor(slug) + "#rules" }

// SharedInbox receives activities for every group at once.
func (i IRIs) SharedInbox() string { return i.base + "/inbox" }

// Base is scheme://host of the public URL.
func (i IRIs) Base() string { return i.base }

// GroupPost is the id of a post the group wrote itself; it answers with the Note.
func (i IRIs) GroupPost(slug, postID string) string { return i.GroupActor(slug) + "/posts/" + postID }

// GroupEvent is the id of one of the group's events; it answers with the Event, or its page in a
// browser.
func (i IRIs) GroupEvent(slug, eventID string) string {
	return i.GroupActor(slug) + "/events/" + eventID
}

// GroupTag is the group's page of its posts with a hashtag (tag in lower case, without the '#'),
// where the hashtags of its own posts lead.
func (i IRIs) GroupTag(slug, tag string) string {
	return i.GroupActor(slug) + "?tag=" + url.QueryEscape(tag)
}

// Media is where a picture Kring stored in its media directory is served.
func (i IRIs) Media(name string) string { return i.base + "/media/" + name }

// GroupThread is the collection of one conversation in a group: the post (any post of the group, by
// Kring's id for it) and the replies under it. It is the `context` of the group's own posts
// (FEP-7888) and their `replies`.
func (i IRIs) GroupThread(slug, postID string) string {
	return i.GroupActor(slug) + "/threads/" + postID
}
