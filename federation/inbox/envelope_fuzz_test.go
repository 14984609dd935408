package inbox

import (
	"context"
	"testing"
	"time"

	"github.com/go-fed/activity/streams/vocab"

	"github.com/kring-social/kring/federation/activities"
	"github.com/kring-social/kring/federation/jsonguard"
)

// fuzzSeeds are real activities and the hostile shapes the inbox refuses; more live in
// testdata/fuzz/<FuzzName>/ so that plain go test runs them.
func fuzzSeeds() []string {
	seeds := []string{
		`{"id":"https://a.example/1","type":"Create","actor":"https://v.example/u","Actor":"https://a.example/u","object":{"id":"https://a.example/n","type":"Note","attributedTo":"https://a.example/u"}}`,
		`{"id":"https://a.example/1","type":"Create","actor":"https://a.example/u","actor":"https://v.example/u"}`,
		`{"id":"https://a.example/1","type":"Create","actor":"https://a.example/u","object":[{"id":"https://a.example/n","type":"Note","attributedTo":["https://a.example/u","https://v.example/u"]}]}`,
		`{"@context":["https://www.w3.org/ns/activitystreams",{"https://www.w3.org/ns/activitystreams":"x"}],"id":"https://a.example/1","type":"x:Create","actor":"https://a.example/u","x:actor":"https://v.example/u"}`,
		`{"id":"https://a.example/1","type":"Undo","actor":"https://a.example/u","object":{"id":"https://a.example/like/1","type":"Like","actor":"https://a.example/u","object":"https://k.example/p/1"}}`,
	}
	for _, tc := range acceptedBodies {
		seeds = append(seeds, tc.body)
	}
	return seeds
}

// FuzzReadEnvelope: readEnvelope never panics, and what it accepts it reads as go-fed (the worker)
// does, wherever go-fed reads the body at all: the same type and id, no actor but Kring's, the same
// single object, and no author of that object Kring did not see (and check).
func FuzzReadEnvelope(f *testing.F) {
	for _, seed := range fuzzSeeds() {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		env, err := readEnvelope(body)
		if err != nil {
			return
		}
		parsed, err := activities.Parse(context.Background(), string(body))
		if err != nil {
			return
		}
		if parsed.GetTypeName() != env.Type {
			t.Fatalf("type: Kring %q, go-fed %q", env.Type, parsed.GetTypeName())
		}
		if id := parsed.GetJSONLDId(); id == nil || !id.IsXMLSchemaAnyURI() || !sameIRI(env.ID, id.Get().String()) {
			t.Fatalf("id: Kring %q, go-fed %v", env.ID, id)
		}
		if a, ok := parsed.(interface {
			GetActivityStreamsActor() vocab.ActivityStreamsActorProperty
		}); ok {
			for _, actor := range iris[vocab.ActivityStreamsActorPropertyIterator](a.GetActivityStreamsActor()) {
				if !sameIRI(env.Actor, actor) {
					t.Fatalf("actor: Kring %q, go-fed %q", env.Actor, actor)
				}
			}
		}
		a, ok := parsed.(interface {
			GetActivityStreamsObject() vocab.ActivityStreamsObjectProperty
		})
		if !ok || a.GetActivityStreamsObject() == nil {
			if env.Object != "" {
				t.Fatalf("object: Kring %q, go-fed none", env.Object)
			}
			return
		}
		objects := a.GetActivityStreamsObject()
		if objects.Len() != 1 {
			if env.Object != "" {
				t.Fatalf("object: Kring %q, go-fed %d values", env.Object, objects.Len())
			}
			return
		}
		it := objects.At(0)
		if id := iteratorIRI(it); id != nil && !sameIRI(env.Object, id.String()) {
			t.Fatalf("object: Kring %q, go-fed %q", env.Object, id)
		}
		if authored, ok := it.GetType().(interface {
			GetActivityStreamsAttributedTo() vocab.ActivityStreamsAttributedToProperty
		}); ok {
			for _, author := range iris[vocab.ActivityStreamsAttributedToPropertyIterator](authored.GetActivityStreamsAttributedTo()) {
				if !containsIRI(env.ObjectAuthors, author) {
					t.Fatalf("author: go-fed %q, Kring %v", author, env.ObjectAuthors)
				}
			}
		}
	})
}

func containsIRI(kring []string, goFed string) bool {
	for _, iri := range kring {
		if sameIRI(iri, goFed) {
			return true
		}
	}
	return false
}

// FuzzParseActivity fuzzes the worker's reading of a stored activity: the inbox's checks (the worker
// only sees what they accepted), activities.Parse, and the readings into Kring's types that Process
// makes before it touches the database. None may panic or take long, and the ids the worker
// dereferences without a check (an embedded object's id) must be URIs.
func FuzzParseActivity(f *testing.F) {
	for _, seed := range fuzzSeeds() {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > 1<<20 || jsonguard.CheckObject(body, jsonguard.DefaultMaxDepth) != nil {
			return
		}
		env, err := readEnvelope(body)
		if err != nil {
			return
		}
		start := time.Now()
		parsed, err := activities.Parse(context.Background(), string(body))
		if err == nil {
			readLikeTheWorker(t, parsed, env)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Fatalf("reading %d bytes took %v", len(body), took)
		}
	})
}

// readLikeTheWorker makes the readings Processor.apply makes of each kind of activity.
func readLikeTheWorker(t *testing.T, parsed vocab.Type, env envelope) {
	_ = typeNameOf(parsed)
	var objects vocab.ActivityStreamsObjectProperty
	if a, ok := parsed.(interface {
		GetActivityStreamsObject() vocab.ActivityStreamsObjectProperty
	}); ok {
		objects = a.GetActivityStreamsObject()
		_ = objectIRIs(objects)
	}
	if a, ok := parsed.(interface {
		GetActivityStreamsActor() vocab.ActivityStreamsActorProperty
	}); ok {
		_ = actorOf(a.GetActivityStreamsActor())
	}
	if flag, ok := parsed.(vocab.ActivityStreamsFlag); ok {
		_ = flagReason(flag)
	}
	if objects == nil || objects.Len() != 1 {
		return
	}
	it := objects.At(0)
	if embedded := it.GetType(); embedded != nil {
		// applyUndo reads an undone Like's id as GetJSONLDId().Get().String().
		if id := embedded.GetJSONLDId(); id != nil && id.Get() == nil {
			t.Fatalf("the embedded %s has an id that is no URI: the worker would dereference nil", embedded.GetTypeName())
		}
		if post, ok := asPostObject(embedded); ok {
			read := readPostObject(post)
			_ = read.visibility(env.Actor + "/followers")
			_ = read.addressees()
		}
		_ = typeNameOf(embedded)
	}
	if it.IsActivityStreamsFollow() {
		follow := it.GetActivityStreamsFollow()
		_ = actorOf(follow.GetActivityStreamsActor())
		_ = objectIRIs(follow.GetActivityStreamsObject())
	}
	if it.IsActivityStreamsLike() {
		_ = actorOf(it.GetActivityStreamsLike().GetActivityStreamsActor())
	}
}
