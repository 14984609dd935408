package inbox

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/go-fed/activity/streams/vocab"

	"github.com/kring-social/kring/federation/activities"
	"github.com/kring-social/kring/federation/jsonguard"
)

// reading is what a parser makes of an activity's envelope.
type reading struct {
	ID, Type, Actor, Object string
	Authors                 []string
	To                      []string
}

func (r reading) String() string {
	return fmt.Sprintf("id %s, type %s, actor %s, object %s, authors %v, to %v", r.ID, r.Type, r.Actor, r.Object, r.Authors, r.To)
}

// goFedRead is the worker's reading: activities.Parse (json.Unmarshal into a map, then go-fed's
// streams.ToType). A property with several values, or one go-fed cannot name by IRI, reads as empty.
func goFedRead(body []byte) (reading, error) {
	parsed, err := activities.Parse(context.Background(), string(body))
	if err != nil {
		return reading{}, err
	}
	r := reading{Type: parsed.GetTypeName()}
	if id := parsed.GetJSONLDId(); id != nil && id.IsXMLSchemaAnyURI() {
		r.ID = id.Get().String()
	}
	if a, ok := parsed.(interface {
		GetActivityStreamsActor() vocab.ActivityStreamsActorProperty
	}); ok {
		if actors := iris[vocab.ActivityStreamsActorPropertyIterator](a.GetActivityStreamsActor()); len(actors) == 1 {
			r.Actor = actors[0]
		}
	}
	if a, ok := parsed.(interface {
		GetActivityStreamsObject() vocab.ActivityStreamsObjectProperty
	}); ok && a.GetActivityStreamsObject() != nil && a.GetActivityStreamsObject().Len() == 1 {
		it := a.GetActivityStreamsObject().At(0)
		if id := iteratorIRI(it); id != nil {
			r.Object = id.String()
		}
		if authored, ok := it.GetType().(interface {
			GetActivityStreamsAttributedTo() vocab.ActivityStreamsAttributedToProperty
		}); ok {
			r.Authors = iris[vocab.ActivityStreamsAttributedToPropertyIterator](authored.GetActivityStreamsAttributedTo())
		}
	}
	if a, ok := parsed.(interface {
		GetActivityStreamsTo() vocab.ActivityStreamsToProperty
	}); ok {
		r.To = iris[vocab.ActivityStreamsToPropertyIterator](a.GetActivityStreamsTo())
	}
	return r, nil
}

// encodingJSONRead is how the inbox read the envelope before: encoding/json into structs, which
// matches keys case-insensitively and keeps the last of repeated keys.
func encodingJSONRead(body []byte) reading {
	var raw struct {
		ID     string          `json:"id"`
		Type   string          `json:"type"`
		Actor  json.RawMessage `json:"actor"`
		Object json.RawMessage `json:"object"`
		To     json.RawMessage `json:"to"`
	}
	_ = json.Unmarshal(body, &raw)
	r := reading{ID: raw.ID, Type: raw.Type, Actor: structReference(raw.Actor), Object: structReference(raw.Object)}
	var embedded struct {
		AttributedTo json.RawMessage `json:"attributedTo"`
	}
	if json.Unmarshal(raw.Object, &embedded) == nil {
		r.Authors = structReferences(embedded.AttributedTo)
	}
	r.To = structReferences(raw.To)
	return r
}

func structReference(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var object struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw, &object) == nil {
		return object.ID
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil && len(list) == 1 {
		return structReference(list[0])
	}
	return ""
}

func structReferences(raw json.RawMessage) []string {
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		list = []json.RawMessage{raw}
	}
	var out []string
	for _, v := range list {
		if s := structReference(v); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// sameIRI compares Kring's string with go-fed's, which went through url.Parse and String.
func sameIRI(kring, goFed string) bool {
	if kring == goFed {
		return true
	}
	u, err := url.Parse(kring)
	return err == nil && u.String() == goFed
}

const (
	mastodonContext = `["https://www.w3.org/ns/activitystreams",{"ostatus":"http://ostatus.org#","atomUri":"ostatus:atomUri","inReplyToAtomUri":"ostatus:inReplyToAtomUri","conversation":"ostatus:conversation","sensitive":"as:sensitive","toot":"http://joinmastodon.org/ns#","votersCount":"toot:votersCount","Hashtag":"as:Hashtag","blurhash":"toot:blurhash","focalPoint":{"@container":"@list","@id":"toot:focalPoint"}}]`
	lemmyContext    = `["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1",{"lemmy":"https://join-lemmy.org/ns#","litepub":"http://litepub.social/ns#","pt":"https://joinpeertube.org/ns#","sc":"http://schema.org/","ChatMessage":"litepub:ChatMessage","commentsEnabled":"pt:commentsEnabled","sensitive":"as:sensitive","matrixUserId":"lemmy:matrixUserId","postingRestrictedToMods":"lemmy:postingRestrictedToMods","removeData":"lemmy:removeData","stickied":"lemmy:stickied","moderators":{"@type":"@id","@id":"lemmy:moderators"},"expires":"as:endTime","distinguished":"lemmy:distinguished","language":"sc:inLanguage","identifier":"sc:identifier"}]`
	misskeyContext  = `["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1",{"Key":"sec:Key","manuallyApprovesFollowers":"as:manuallyApprovesFollowers","sensitive":"as:sensitive","Hashtag":"as:Hashtag","quoteUrl":"as:quoteUrl","toot":"http://joinmastodon.org/ns#","Emoji":"toot:Emoji","featured":"toot:featured","discoverable":"toot:discoverable","schema":"http://schema.org#","PropertyValue":"schema:PropertyValue","value":"schema:value","misskey":"https://misskey-hub.net/ns#","_misskey_content":"misskey:_misskey_content","_misskey_quote":"misskey:_misskey_quote","_misskey_reaction":"misskey:_misskey_reaction","_misskey_votes":"misskey:_misskey_votes","isCat":"misskey:isCat","vcard":"http://www.w3.org/2006/vcard/ns#"}]`
	fedifyContext   = `["https://www.w3.org/ns/activitystreams","https://w3id.org/security/data-integrity/v1",{"toot":"http://joinmastodon.org/ns#","Emoji":"toot:Emoji","sensitive":"as:sensitive","Hashtag":"as:Hashtag"}]`
	group           = "https://kring.example/groups/lobby"
	public          = "https://www.w3.org/ns/activitystreams#Public"
)

// acceptedBodies are activities shaped as the servers Kring talks to send them.
var acceptedBodies = []struct{ name, body string }{
	{"Mastodon Create of a Note", `{"@context":` + mastodonContext + `,"id":"https://mastodon.example/users/alice/statuses/1/activity","type":"Create","actor":"https://mastodon.example/users/alice","published":"2026-12-01T10:00:00Z","to":["` + public + `"],"cc":["https://mastodon.example/users/alice/followers","` + group + `"],"object":{"id":"https://mastodon.example/users/alice/statuses/1","type":"Note","summary":null,"inReplyTo":null,"published":"2026-12-01T10:00:00Z","url":"https://mastodon.example/@alice/1","attributedTo":"https://mastodon.example/users/alice","to":["` + public + `"],"cc":["https://mastodon.example/users/alice/followers","` + group + `"],"sensitive":false,"atomUri":"https://mastodon.example/users/alice/statuses/1","conversation":"tag:mastodon.example,2026-12-01:objectId=1:objectType=Conversation","content":"<p>Hello <span class=\"h-card\"><a href=\"https://kring.example/groups/lobby\" class=\"u-url mention\">@<span>lobby</span></a></span></p>","contentMap":{"en":"<p>Hello</p>"},"attachment":[],"tag":[{"type":"Mention","href":"` + group + `","name":"@lobby@kring.example"}],"replies":{"id":"https://mastodon.example/users/alice/statuses/1/replies","type":"Collection","first":{"type":"CollectionPage","next":"https://mastodon.example/users/alice/statuses/1/replies?only_other_accounts=true&page=true","partOf":"https://mastodon.example/users/alice/statuses/1/replies","items":[]}}},"signature":{"type":"RsaSignature2017","creator":"https://mastodon.example/users/alice#main-key","created":"2026-12-01T10:00:00Z","signatureValue":"c2lnbmVk"}}`},
	{"Mastodon Follow", `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://mastodon.example/5c4c0c3e-2f0b-4a5e-9b8e-1f2a3b4c5d6e","type":"Follow","actor":"https://mastodon.example/users/alice","object":"` + group + `"}`},
	{"Mastodon Undo of a Follow", `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://mastodon.example/users/alice#follows/12/undo","type":"Undo","actor":"https://mastodon.example/users/alice","object":{"id":"https://mastodon.example/5c4c0c3e-2f0b-4a5e-9b8e-1f2a3b4c5d6e","type":"Follow","actor":"https://mastodon.example/users/alice","object":"` + group + `"}}`},
	{"Mastodon Like", `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://mastodon.example/users/alice#likes/7","type":"Like","actor":"https://mastodon.example/users/alice","object":"https://kring.example/posts/01J"}`},
	{"Mastodon Delete with a Tombstone", `{"@context":["https://www.w3.org/ns/activitystreams",{"ostatus":"http://ostatus.org#","atomUri":"ostatus:atomUri"}],"id":"https://mastodon.example/users/alice/statuses/1#delete","type":"Delete","actor":"https://mastodon.example/users/alice","to":["` + public + `"],"object":{"id":"https://mastodon.example/users/alice/statuses/1","type":"Tombstone","atomUri":"https://mastodon.example/users/alice/statuses/1"}}`},
	{"Mastodon Delete of the account", `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://mastodon.example/users/alice#delete","type":"Delete","actor":"https://mastodon.example/users/alice","to":["` + public + `"],"object":"https://mastodon.example/users/alice"}`},
	{"Mastodon Announce", `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://mastodon.example/users/alice/statuses/2/activity","type":"Announce","actor":"https://mastodon.example/users/alice","published":"2026-12-01T10:00:00Z","to":["` + public + `"],"cc":["https://mastodon.example/users/alice/followers"],"object":"https://kring.example/posts/01J"}`},
	{"Mastodon Flag", `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://mastodon.example/0f1e2d3c","type":"Flag","actor":"https://mastodon.example/actor","content":"spam","object":["https://kring.example/users/x","https://kring.example/posts/01J"]}`},
	{"Mastodon Update of the account", `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://mastodon.example/users/alice#updates/1","type":"Update","actor":"https://mastodon.example/users/alice","to":["` + public + `"],"object":{"id":"https://mastodon.example/users/alice","type":"Person","preferredUsername":"alice","inbox":"https://mastodon.example/users/alice/inbox"}}`},
	{"GoToSocial Create with single values", `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://gts.example/users/bea/statuses/01HX/activity","type":"Create","actor":"https://gts.example/users/bea","published":"2026-12-01T10:00:00Z","to":"` + public + `","cc":"https://gts.example/users/bea/followers","object":{"id":"https://gts.example/users/bea/statuses/01HX","type":"Note","attributedTo":"https://gts.example/users/bea","content":"<p>hi @lobby</p>","published":"2026-12-01T10:00:00Z","to":"` + public + `","cc":"` + group + `","tag":{"type":"Mention","href":"` + group + `","name":"@lobby@kring.example"},"url":"https://gts.example/@bea/statuses/01HX","sensitive":false}}`},
	{"GoToSocial Follow", `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://gts.example/users/bea/follow/01HY","type":"Follow","actor":"https://gts.example/users/bea","object":"` + group + `"}`},
	{"GoToSocial Like", `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://gts.example/users/bea/liked/01HZ","type":"Like","actor":"https://gts.example/users/bea","object":"https://kring.example/posts/01J","to":"https://kring.example/users/x"}`},
	{"GoToSocial Undo of a Like", `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://gts.example/users/bea/liked/01HZ/undo","type":"Undo","actor":"https://gts.example/users/bea","to":"https://kring.example/users/x","object":{"id":"https://gts.example/users/bea/liked/01HZ","type":"Like","actor":"https://gts.example/users/bea","object":"https://kring.example/posts/01J"}}`},
	{"Lemmy Create of a Page", `{"@context":` + lemmyContext + `,"actor":"https://lemmy.example/u/cal","to":["` + group + `","` + public + `"],"object":{"type":"Page","id":"https://lemmy.example/post/9","attributedTo":"https://lemmy.example/u/cal","to":["` + group + `","` + public + `"],"name":"A title","cc":[],"content":"<p>body</p>","mediaType":"text/html","source":{"content":"body","mediaType":"text/markdown"},"sensitive":false,"published":"2026-12-01T10:00:00Z","language":{"identifier":"en","name":"English"},"audience":"` + group + `"},"cc":[],"type":"Create","id":"https://lemmy.example/activities/create/6e1c","audience":"` + group + `"}`},
	{"Lemmy Follow", `{"@context":` + lemmyContext + `,"actor":"https://lemmy.example/u/cal","object":"` + group + `","type":"Follow","id":"https://lemmy.example/activities/follow/2f3a"}`},
	{"Lemmy Like", `{"@context":` + lemmyContext + `,"actor":"https://lemmy.example/u/cal","object":"https://kring.example/posts/01J","type":"Like","id":"https://lemmy.example/activities/like/9a8b","audience":"` + group + `"}`},
	{"Lemmy Undo of a Like", `{"@context":` + lemmyContext + `,"actor":"https://lemmy.example/u/cal","object":{"actor":"https://lemmy.example/u/cal","object":"https://kring.example/posts/01J","type":"Like","id":"https://lemmy.example/activities/like/9a8b","audience":"` + group + `"},"type":"Undo","id":"https://lemmy.example/activities/undo/7c6d","audience":"` + group + `"}`},
	{"Lemmy Delete", `{"@context":` + lemmyContext + `,"actor":"https://lemmy.example/u/cal","to":["` + public + `"],"object":"https://lemmy.example/post/9","cc":["` + group + `"],"type":"Delete","id":"https://lemmy.example/activities/delete/5e4f","audience":"` + group + `"}`},
	{"Lemmy Flag", `{"@context":` + lemmyContext + `,"actor":"https://lemmy.example/u/cal","to":["` + group + `"],"object":"https://kring.example/posts/01J","summary":"off topic","type":"Flag","id":"https://lemmy.example/activities/flag/3c2b","audience":"` + group + `"}`},
	{"Misskey Create of a Note", `{"@context":` + misskeyContext + `,"id":"https://misskey.example/notes/9abc/activity","actor":"https://misskey.example/users/9xyz","type":"Create","published":"2026-12-01T10:00:00.000Z","object":{"id":"https://misskey.example/notes/9abc","type":"Note","attributedTo":"https://misskey.example/users/9xyz","content":"<p>hello</p>","_misskey_content":"hello","source":{"content":"hello","mediaType":"text/x.misskeymarkdown"},"published":"2026-12-01T10:00:00.000Z","to":["` + public + `"],"cc":["https://misskey.example/users/9xyz/followers","` + group + `"],"inReplyTo":null,"attachment":[],"sensitive":false,"tag":[{"type":"Mention","href":"` + group + `","name":"@lobby@kring.example"}]},"to":["` + public + `"],"cc":["https://misskey.example/users/9xyz/followers","` + group + `"]}`},
	{"Misskey Follow", `{"@context":` + misskeyContext + `,"id":"https://misskey.example/follows/9def","type":"Follow","actor":"https://misskey.example/users/9xyz","object":"` + group + `"}`},
	{"Misskey Like with a reaction", `{"@context":` + misskeyContext + `,"type":"Like","id":"https://misskey.example/likes/9ghi","actor":"https://misskey.example/users/9xyz","object":"https://kring.example/posts/01J","content":"👍","_misskey_reaction":"👍"}`},
	{"Misskey Undo of a Follow", `{"@context":` + misskeyContext + `,"type":"Undo","id":"https://misskey.example/users/9xyz/undo/9jkl","actor":"https://misskey.example/users/9xyz","object":{"id":"https://misskey.example/follows/9def","type":"Follow","actor":"https://misskey.example/users/9xyz","object":"` + group + `"},"published":"2026-12-01T10:00:00.000Z"}`},
	{"Fedify Create with a proof", `{"@context":` + fedifyContext + `,"id":"https://fedify.example/posts/01/activity","type":"Create","actor":"https://fedify.example/users/dee","object":{"id":"https://fedify.example/posts/01","type":"Note","attributedTo":"https://fedify.example/users/dee","content":"<p>hello</p>","published":"2026-12-01T10:00:00Z","to":"as:Public","cc":["` + group + `"],"tag":[{"type":"Mention","href":"` + group + `","name":"@lobby@kring.example"}]},"to":"as:Public","cc":"` + group + `","proof":{"type":"DataIntegrityProof","cryptosuite":"eddsa-jcs-2022","verificationMethod":"https://fedify.example/users/dee#key-2","proofPurpose":"assertionMethod","proofValue":"z3sig","created":"2026-12-01T10:00:00Z"}}`},
	{"Fedify Follow", `{"@context":` + fedifyContext + `,"id":"https://fedify.example/follows/0193","type":"Follow","actor":"https://fedify.example/users/dee","object":"` + group + `"}`},
	{"Fedify Undo of a Follow", `{"@context":` + fedifyContext + `,"id":"https://fedify.example/follows/0193#undo","type":"Undo","actor":"https://fedify.example/users/dee","object":{"id":"https://fedify.example/follows/0193","type":"Follow","actor":"https://fedify.example/users/dee","object":"` + group + `"}}`},
	{"Create of an object given by id", `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://mastodon.example/users/alice/statuses/3/activity","type":"Create","actor":"https://mastodon.example/users/alice","object":"https://mastodon.example/users/alice/statuses/3"}`},
	{"arrays of one", `{"@context":["https://www.w3.org/ns/activitystreams"],"id":"https://pleroma.example/activities/1","type":"Create","actor":["https://pleroma.example/users/eve"],"to":["` + public + `"],"object":[{"id":"https://pleroma.example/objects/1","type":"Note","attributedTo":["https://pleroma.example/users/eve"],"content":"hi"}]}`},
	{"actor and author as objects", `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://pleroma.example/activities/2","type":"Create","actor":{"id":"https://pleroma.example/users/eve","type":"Person"},"object":{"id":"https://pleroma.example/objects/2","type":"Article","name":"Title","attributedTo":[{"id":"https://pleroma.example/users/eve","type":"Person"}],"content":"hi"}}`},
	{"Update of a Note", `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://mastodon.example/users/alice/statuses/1#updates/1","type":"Update","actor":"https://mastodon.example/users/alice","object":{"id":"https://mastodon.example/users/alice/statuses/1","type":"Note","attributedTo":"https://mastodon.example/users/alice","content":"<p>edited</p>","updated":"2026-12-01T11:00:00Z"}}`},
	{"no @context", `{"id":"https://mastodon.example/users/alice#likes/8","type":"Like","actor":"https://mastodon.example/users/alice","object":"https://kring.example/posts/01J"}`},
}

// Kring's envelope and the worker's go-fed parse read the same id, type, actor, object and authors
// from every activity real servers send.
func TestEnvelopeAgreesWithGoFed(t *testing.T) {
	t.Parallel()
	for _, tc := range acceptedBodies {
		t.Run(tc.name, func(t *testing.T) {
			body := []byte(tc.body)
			if err := jsonguard.CheckObject(body, jsonguard.DefaultMaxDepth); err != nil {
				t.Fatalf("jsonguard: %v", err)
			}
			env, err := readEnvelope(body)
			if err != nil {
				t.Fatalf("readEnvelope: %v", err)
			}
			if reason := checkObjectOrigin(env); reason != "" {
				t.Fatalf("checkObjectOrigin: %s", reason)
			}
			goFed, err := goFedRead(body)
			if err != nil {
				t.Fatalf("go-fed: %v", err)
			}
			kring := reading{ID: env.ID, Type: env.Type, Actor: env.Actor, Object: env.Object, Authors: env.ObjectAuthors, To: goFed.To}
			if kring.String() != goFed.String() {
				t.Fatalf("Kring reads %v\ngo-fed reads %v", kring, goFed)
			}
			if env.Actor == "" || env.ID == "" {
				t.Fatalf("no actor or id: %v", kring)
			}
		})
	}
}

// Every body refused for a second spelling of a key is one that encoding/json (the inbox's old
// reading) and go-fed read differently, or that other parsers would: first-wins JSON parsers for
// repeated keys, JSON-LD processors for "as:actor" and "@id".
func TestRefusedBodiesAreParserDifferentials(t *testing.T) {
	t.Parallel()
	const (
		alice  = "https://a.example/users/alice"
		victim = "https://v.example/users/bob"
	)
	note := func(extra string) string {
		return `{"id":"https://a.example/notes/1","type":"Note","content":"hi",` + extra + `}`
	}
	create := func(fields string) string {
		return `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/activities/1","type":"Create",` + fields + `}`
	}
	cases := []struct {
		name   string
		body   string
		reason string
		// disagree says encoding/json and go-fed read the body differently; else only other parsers do.
		disagree bool
	}{
		{"actor then Actor", create(`"actor":"` + victim + `","Actor":"` + alice + `","object":` + note(`"attributedTo":"`+alice+`"`)), "key Actor differs only in case from actor", true},
		{"ACTOR", create(`"actor":"` + victim + `","ACTOR":"` + alice + `"`), "key ACTOR differs only in case from actor", true},
		{"escaped Actor", create(`"actor":"` + victim + `","\u0041ctor":"` + alice + `"`), "key Actor differs only in case from actor", true},
		{"id then ID", create(`"actor":"` + alice + `","ID":"https://a.example/activities/2"`), "key ID differs only in case from id", true},
		{"type then Type", create(`"actor":"` + alice + `","object":"https://a.example/notes/1","Type":"Like"`), "key Type differs only in case from type", true},
		{"object then Object", create(`"actor":"` + alice + `","object":` + note(`"attributedTo":"`+victim+`"`) + `,"Object":` + note(`"attributedTo":"`+alice+`"`)), "key Object differs only in case from object", true},
		{"attributedTo then AttributedTo", create(`"actor":"` + alice + `","object":` + note(`"attributedTo":"`+victim+`","AttributedTo":"`+alice+`"`)), "key AttributedTo differs only in case from attributedTo in object", true},
		{"attributedTo in an array of one", create(`"actor":"` + alice + `","object":[` + note(`"attributedTo":"`+victim+`","attributedto":"`+alice+`"`) + `]`), "key attributedto differs only in case from attributedTo in object[0]", true},
		{"to then TO", create(`"actor":"` + alice + `","to":["` + public + `"],"TO":["` + alice + `/followers"]`), "key TO differs only in case from to", true},
		{"cc then Cc", create(`"actor":"` + alice + `","cc":["` + public + `"],"Cc":["x"]`), "key Cc differs only in case from cc", false},
		{"Audience", create(`"actor":"` + alice + `","Audience":"` + group + `"`), "key Audience differs only in case from audience", false},
		{"actor twice", create(`"actor":"` + alice + `","actor":"` + victim + `"`), "duplicate key actor", false},
		{"to twice", create(`"actor":"` + alice + `","to":["` + public + `"],"to":["` + alice + `/followers"]`), "duplicate key to", false},
		{"attributedTo twice", create(`"actor":"` + alice + `","object":` + note(`"attributedTo":"`+alice+`","attributedTo":"`+victim+`"`)), "duplicate key attributedTo in object", false},
		{"as:actor", create(`"actor":"` + alice + `","as:actor":"` + victim + `"`), "key as:actor is another spelling of actor", false},
		{"@id", create(`"actor":"` + alice + `","object":{"@id":"https://v.example/notes/1","id":"https://a.example/notes/1","type":"Note"}`), "key @id is another spelling of id in object", false},
		{"a context that prefixes ActivityStreams", `{"@context":["https://www.w3.org/ns/activitystreams",{"https://www.w3.org/ns/activitystreams":"x"}],"id":"https://a.example/activities/1","type":"x:Create","actor":"` + alice + `","x:actor":"` + victim + `"}`, "@context renames the ActivityStreams vocabulary", true},
		{"too many authors", create(`"actor":"` + alice + `","object":` + note(`"attributedTo":[`+strings.Repeat(`"`+alice+`",`, 16)+`"`+alice+`"]`)), "attributedTo has more than 16 values", false},
		{"an embedded id that is no URI", create(`"actor":"` + alice + `","object":{"id":"likes/1","type":"Like","actor":"` + alice + `"}`), "the object's id must be an IRI", true},
		{"an author without an id", create(`"actor":"` + alice + `","object":` + note(`"attributedTo":[{"type":"Person"},"`+alice+`"]`)), "attributedTo must hold IRIs or objects with ids", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := []byte(tc.body)
			err := jsonguard.CheckObject(body, jsonguard.DefaultMaxDepth)
			if err == nil {
				_, err = readEnvelope(body)
			}
			if err == nil || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("refusal %v, want %q", err, tc.reason)
			}
			structs := encodingJSONRead(body)
			goFed, goFedErr := goFedRead(body)
			if goFedErr != nil {
				t.Fatalf("go-fed: %v", goFedErr)
			}
			if disagree := structs.String() != goFed.String(); disagree != tc.disagree {
				t.Fatalf("disagree = %v, want %v\nencoding/json reads %v\ngo-fed reads        %v", disagree, tc.disagree, structs, goFed)
			}
		})
	}
}

// Every attributedTo of a created or changed object must be the actor; the actor changing itself is
// its own object.
func TestCheckObjectOriginAuthors(t *testing.T) {
	t.Parallel()
	const alice, bob = "https://a.example/users/alice", "https://a.example/users/bob"
	base := envelope{ID: "https://a.example/activities/1", Type: "Create", Actor: alice, Object: "https://a.example/notes/1"}
	with := func(kind string, authors ...string) envelope {
		env := base
		env.Type, env.ObjectAuthors = kind, authors
		return env
	}
	self := with("Update", bob)
	self.Object = alice
	cases := []struct {
		name    string
		env     envelope
		refused bool
	}{
		{"object given by id", with("Create"), false},
		{"one author, the actor", with("Create", alice), false},
		{"the actor twice", with("Create", alice, alice), false},
		{"the actor and another", with("Create", alice, bob), true},
		{"another, then the actor", with("Update", bob, alice), true},
		{"another", with("Delete", bob), true},
		{"a Like of another's object", with("Like", bob), false},
		{"the actor's own profile", self, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if reason := checkObjectOrigin(tc.env); (reason != "") != tc.refused {
				t.Fatalf("checkObjectOrigin = %q, refused want %v", reason, tc.refused)
			}
		})
	}
}

// go-fed is the reference the tests compare with; make sure a body only it could misread is no
// accident of these helpers.
func TestGoFedReadsExactKeys(t *testing.T) {
	t.Parallel()
	r, err := goFedRead([]byte(`{"id":"https://a.example/1","type":"Follow","actor":"https://a.example/u","Actor":"https://v.example/u","object":"` + group + `"}`))
	if err != nil || r.Actor != "https://a.example/u" || !slices.Equal(r.To, nil) {
		t.Fatalf("go-fed read %v, %v", r, err)
	}
	if s := encodingJSONRead([]byte(`{"actor":"https://a.example/u","Actor":"https://v.example/u"}`)); s.Actor != "https://v.example/u" {
		t.Fatalf("encoding/json read %v", s)
	}
}
