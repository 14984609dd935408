package inbox_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/federation/activities"
	"github.com/kring-social/kring/federation/signing"
	"github.com/kring-social/kring/test/testenv"
)

// field is one key of a JSON object written in order: hostile bodies repeat keys, which no Go map
// can hold.
type field struct {
	key   string
	value any
}

// orderedJSON writes the fields as one JSON object, in order, repeats included.
func orderedJSON(t *testing.T, fields ...field) json.RawMessage {
	t.Helper()
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(f.key)
		value, err := json.Marshal(f.value)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(key)
		b.WriteByte(':')
		b.Write(value)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// postForReason sends body signed by m to the group's inbox and returns the status and the refusal's
// reason, if any.
func (k *kringUnderTest) postForReason(t *testing.T, m member, group model.Group, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, k.server.URL+"/groups/"+group.Slug+"/inbox", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/activity+json")
	if err := (signing.Signer{KeyID: m.keyID(), Key: m.key}).Sign(req, body); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	var refusal struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(answer, &refusal)
	return resp.StatusCode, refusal.Error
}

// TestCaseVariantAndDuplicateKeys sends activities signed by alice, their real signer, that name
// someone else through a second spelling of a key: Kring's checks and its worker (go-fed reads keys
// case-sensitively, encoding/json does not; the last of two equal keys wins in both, the first in
// other parsers) would read different actors, objects, authors or addressees. Each is refused
// with 400 and the key named, nothing is stored, queued or delivered; the same activity without the
// second spelling is accepted.
func TestCaseVariantAndDuplicateKeys(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	k := newKring(t, st)
	peer := newRemotePeer(t)
	victimPeer := newRemotePeerAt(t, "127.0.0.3", "")
	alice := k.join(t, peer, "alice", k.open)
	bob := k.join(t, victimPeer, "bob", k.open)
	const as = "https://www.w3.org/ns/activitystreams"

	// createOf is alice's Create of her post n, with the Note's fields and the activity's changed.
	createOf := func(n int, note func([]field) []field, activity func(note json.RawMessage, fields []field) []field) []byte {
		_, plain := k.noteOf(alice, k.open, n)
		noteFields := []field{{"id", plain["id"]}, {"type", "Note"}, {"attributedTo", alice.actor()},
			{"content", plain["content"]}, {"to", plain["to"]}, {"cc", plain["cc"]}, {"tag", plain["tag"]},
			{"published", plain["published"]}}
		if note != nil {
			noteFields = note(noteFields)
		}
		object := orderedJSON(t, noteFields...)
		fields := []field{{"@context", as}, {"id", fmt.Sprintf("%s/statuses/%d/activity", alice.actor(), n)},
			{"type", "Create"}, {"actor", alice.actor()}, {"to", plain["to"]}, {"cc", plain["cc"]}, {"object", object}}
		if activity != nil {
			fields = activity(object, fields)
		}
		return orderedJSON(t, fields...)
	}
	// replace sets the value of the first field named key.
	replace := func(fields []field, key string, value any) []field {
		out := append([]field(nil), fields...)
		for i := range out {
			if out[i].key == key {
				out[i].value = value
				return out
			}
		}
		t.Fatalf("no field %s", key)
		return nil
	}
	// insertAfter adds f right after the first field named key.
	insertAfter := func(fields []field, key string, f field) []field {
		for i := range fields {
			if fields[i].key == key {
				return append(append(append([]field(nil), fields[:i+1]...), f), fields[i+1:]...)
			}
		}
		t.Fatalf("no field %s", key)
		return nil
	}
	bobsNote := orderedJSON(t, field{"id", bob.actor() + "/statuses/1"}, field{"type", "Note"},
		field{"attributedTo", bob.actor()}, field{"content", "<p>words put in bob's mouth</p>"},
		field{"to", []any{activities.PublicCollection}}, field{"cc", []any{k.iris.GroupActor("lobby")}})

	cases := []struct {
		name    string
		hostile []byte
		clean   []byte
		reason  string
	}{
		{"actor, then Actor: the signer", createOf(11, nil, func(_ json.RawMessage, f []field) []field {
			return insertAfter(replace(f, "actor", bob.actor()), "actor", field{"Actor", alice.actor()})
		}), createOf(11, nil, nil), "key Actor differs only in case from actor"},
		{"actor twice, the victim last", createOf(12, nil, func(_ json.RawMessage, f []field) []field {
			return insertAfter(f, "actor", field{"actor", bob.actor()})
		}), createOf(12, nil, nil), "duplicate key actor"},
		{"object, then Object: alice's", createOf(13, nil, func(note json.RawMessage, f []field) []field {
			return insertAfter(replace(f, "object", bobsNote), "object", field{"Object", note})
		}), createOf(13, nil, nil), "key Object differs only in case from object"},
		{"embedded attributedTo, then AttributedTo", createOf(14, func(f []field) []field {
			return insertAfter(f, "attributedTo", field{"AttributedTo", bob.actor()})
		}, nil), createOf(14, nil, nil), "key AttributedTo differs only in case from attributedTo in object"},
		{"attributedTo alice and bob", createOf(15, func(f []field) []field {
			return replace(f, "attributedTo", []any{alice.actor(), bob.actor()})
		}, nil), createOf(15, func(f []field) []field {
			return replace(f, "attributedTo", []any{alice.actor()})
		}, nil), "attributed to someone else than its actor"},
		{"to twice", createOf(16, nil, func(_ json.RawMessage, f []field) []field {
			return insertAfter(f, "to", field{"to", []any{bob.actor() + "/followers"}})
		}), createOf(16, nil, nil), "duplicate key to"},
		{"actor spelled as a compact IRI", createOf(17, nil, func(_ json.RawMessage, f []field) []field {
			return insertAfter(f, "actor", field{"as:actor", bob.actor()})
		}), createOf(17, nil, nil), "key as:actor is another spelling of actor"},
		{"a context that makes go-fed read x:actor", createOf(18, nil, func(_ json.RawMessage, f []field) []field {
			// go-fed reads type x:Create and actor x:actor; Kring's check would have seen type x:Create
			// (no Create to check the object of) and actor alice.
			f = replace(replace(f, "@context", []any{as, map[string]any{as: "x"}}), "type", "x:Create")
			return insertAfter(f, "actor", field{"x:actor", bob.actor()})
		}), createOf(18, nil, nil), "@context renames the ActivityStreams vocabulary"},
	}

	var storedBefore int64
	if err := st.DB().Model(&model.InboundActivity{}).Count(&storedBefore).Error; err != nil {
		t.Fatal(err)
	}
	deliveredBefore := len(peer.received()) + len(victimPeer.received())
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, reason := k.postForReason(t, alice, k.open, tc.hostile)
			if status != http.StatusBadRequest || !strings.Contains(reason, tc.reason) {
				t.Fatalf("status %d %q, want 400 %q", status, reason, tc.reason)
			}
		})
	}
	if n := len(queued(t, st, tasks.TypeProcessInbound)); n != 0 {
		t.Fatalf("%d activities queued by refused requests", n)
	}
	k.processInbound(t)
	k.deliverAll(t)
	var storedAfter int64
	if err := st.DB().Model(&model.InboundActivity{}).Count(&storedAfter).Error; err != nil {
		t.Fatal(err)
	}
	if storedAfter != storedBefore {
		t.Fatalf("refused requests stored %d activities", storedAfter-storedBefore)
	}
	if n := len(queued(t, st, tasks.TypeDeliverActivity)); n != 0 {
		t.Fatalf("%d deliveries queued by refused requests", n)
	}
	if after := len(peer.received()) + len(victimPeer.received()); after != deliveredBefore {
		t.Fatalf("%d activities delivered because of refused ones", after-deliveredBefore)
	}
	if posts := postsOf(t, st, k.open); len(posts) != 0 {
		t.Fatalf("%d posts taken from refused activities", len(posts))
	}

	// Without the second spelling each is alice's own post, taken into the group.
	for _, tc := range cases {
		t.Run(tc.name+", clean", func(t *testing.T) {
			if status, reason := k.postForReason(t, alice, k.open, tc.clean); status != http.StatusAccepted {
				t.Fatalf("status %d %q, want 202", status, reason)
			}
		})
	}
	var storedClean int64
	if err := st.DB().Model(&model.InboundActivity{}).Count(&storedClean).Error; err != nil {
		t.Fatal(err)
	}
	if storedClean-storedAfter != int64(len(cases)) {
		t.Fatalf("%d of %d clean activities stored", storedClean-storedAfter, len(cases))
	}
	// The group takes them as alice's posts, up to the harness's posting limit.
	k.processInbound(t)
	if posts := postsOf(t, st, k.open); len(posts) != min(len(cases), postLimits.PerActor) {
		t.Fatalf("%d posts from %d clean activities", len(posts), len(cases))
	}
}

// TestEmbeddedObjectIDIsAnIRI: the worker reads an undone Like's id without a check, so an embedded
// object whose id go-fed cannot read as a URI is refused at the door; one with a URI is taken.
func TestEmbeddedObjectIDIsAnIRI(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	k := newKring(t, st)
	alice := k.join(t, newRemotePeer(t), "alice", k.open)
	undo := func(likeID any) []byte {
		return orderedJSON(t, field{"@context", "https://www.w3.org/ns/activitystreams"},
			field{"id", fmt.Sprintf("%s/undo/%v", alice.actor(), likeID)}, field{"type", "Undo"}, field{"actor", alice.actor()},
			field{"object", map[string]any{"id": likeID, "type": "Like", "actor": alice.actor(), "object": k.iris.GroupActor("lobby")}})
	}
	for _, id := range []any{"likes/1", ":", 5} {
		if status, reason := k.postForReason(t, alice, k.open, undo(id)); status != http.StatusBadRequest || !strings.Contains(reason, "the object's id must be an IRI") {
			t.Fatalf("id %v: status %d %q, want 400", id, status, reason)
		}
	}
	if n := len(queued(t, st, tasks.TypeProcessInbound)); n != 0 {
		t.Fatalf("%d refused activities queued", n)
	}
	if status, reason := k.postForReason(t, alice, k.open, undo(alice.actor()+"/likes/1")); status != http.StatusAccepted {
		t.Fatalf("a Like with an IRI id: status %d %q", status, reason)
	}
	k.processInbound(t)
}
