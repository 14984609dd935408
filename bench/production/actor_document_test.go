package production

import (
	"encoding/json"
	"strings"
)

// actorSummary is a profile's bio as Mastodon serves it: a few hundred characters of HTML.
var actorSummary = "<p>Volunteer coordinator, cyclist and occasional baker. I post about our neighbourhood garden, " +
	"the repair café on Saturdays and whatever the city council decided this week.</p><p>Languages: English, " +
	"Nederlands, a little Deutsch. Boosts are not endorsements. <a href=\"https://example.org/tags/community\" " +
	"class=\"mention hashtag\" rel=\"tag\">#<span>community</span></a></p>"

// actorDocument is an actor's document shaped and sized as Mastodon serves one (about 4 KiB): what
// Kring keeps of every actor it has fetched, so that the benchmark's actors weigh what real ones do
// in every read of their row.
func actorDocument(iri, keyID, publicKeyPEM string) string {
	origin := iri[:strings.Index(iri[len("https://"):], "/")+len("https://")]
	field := func(name, link string) map[string]any {
		return map[string]any{"type": "PropertyValue", "name": name, "value": `<a href="` + link +
			`" target="_blank" rel="nofollow noopener me" translate="no"><span class="invisible">https://</span><span class="">` +
			strings.TrimPrefix(link, "https://") + `</span><span class="invisible"></span></a>`}
	}
	document := map[string]any{
		"@context": []any{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1", map[string]any{
			"manuallyApprovesFollowers": "as:manuallyApprovesFollowers", "toot": "http://joinmastodon.org/ns#",
			"featured": map[string]any{"@id": "toot:featured", "@type": "@id"}, "featuredTags": map[string]any{"@id": "toot:featuredTags", "@type": "@id"},
			"alsoKnownAs": map[string]any{"@id": "as:alsoKnownAs", "@type": "@id"}, "movedTo": map[string]any{"@id": "as:movedTo", "@type": "@id"},
			"schema": "http://schema.org#", "PropertyValue": "schema:PropertyValue", "value": "schema:value", "discoverable": "toot:discoverable",
			"suspended": "toot:suspended", "memorial": "toot:memorial", "indexable": "toot:indexable", "attributionDomains": map[string]any{"@id": "toot:attributionDomains", "@type": "@id"},
			"Hashtag": "as:Hashtag", "focalPoint": map[string]any{"@container": "@list", "@id": "toot:focalPoint"}}},
		"id": iri, "type": "Person", "following": iri + "/following", "followers": iri + "/followers", "inbox": iri + "/inbox",
		"outbox": iri + "/outbox", "featured": iri + "/collections/featured", "featuredTags": iri + "/collections/tags",
		"preferredUsername": "u", "name": "Ulla van der Berg", "summary": actorSummary, "url": origin + "/@u",
		"manuallyApprovesFollowers": false, "discoverable": true, "indexable": true, "published": "2022-11-04T00:00:00Z",
		"memorial": false, "devices": iri + "/collections/devices",
		"publicKey": map[string]any{"id": keyID, "owner": iri, "publicKeyPem": publicKeyPEM},
		"tag":       []any{},
		"attachment": []any{field("Website", "https://ulla.example.net"), field("Pronouns", "https://pronouns.example/she"),
			field("Garden", "https://garden.example.org/volunteers")},
		"endpoints": map[string]any{"sharedInbox": origin + "/inbox"},
		"icon":      map[string]any{"type": "Image", "mediaType": "image/png", "url": origin + "/system/accounts/avatars/109/301/512/original/4f1c2a9d0e3b7c85.png"},
		"image":     map[string]any{"type": "Image", "mediaType": "image/jpeg", "url": origin + "/system/accounts/headers/109/301/512/original/a07e55c3b2d61f94.jpg"},
	}
	body, err := json.Marshal(document)
	if err != nil {
		panic(err) // maps of strings always marshal
	}
	return string(body)
}
