package inbox_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/documents"
	"github.com/kring-social/kring/test/testenv"
)

// groupEvent makes an event of group with capacity places, its poll opened (a Create of the
// Question to the group's followers, delivered).
func (k *kringUnderTest) groupEvent(t *testing.T, group model.Group, capacity int) model.Event {
	t.Helper()
	ctx := context.Background()
	id := model.NewID()
	event, err := k.store.CreateEvent(ctx, model.Event{ID: id, GroupID: group.ID, ObjectIRI: k.iris.GroupActor(group.Slug) + "/events/" + id,
		Title: "Picnic", StartsAt: time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC), TimeZone: "Europe/Amsterdam",
		Capacity: capacity, JoinMode: model.JoinOpen, Status: model.EventConfirmed, PublishedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	err = k.store.Transaction(ctx, func(tx *store.Store) error {
		event, err = k.events.OpenPoll(ctx, tx, group, event)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	k.deliverAll(t)
	return event
}

func (k *kringUnderTest) stateOf(t *testing.T, event model.Event, m member) model.ParticipantState {
	t.Helper()
	actor, err := k.store.RemoteActorByIRI(context.Background(), m.actor())
	if err != nil {
		t.Fatal(err)
	}
	p, err := k.store.ParticipantOf(context.Background(), event.ID, actor.ID)
	if err != nil {
		return ""
	}
	return p.State
}

// pollCounts reads the counts of the latest Question a peer received (in a Create or an Update).
func pollCounts(t *testing.T, peer *remotePeer, kind string) map[string]int {
	t.Helper()
	received := peer.receivedOfType(kind)
	for i := len(received) - 1; i >= 0; i-- {
		var doc struct {
			Object struct {
				Type      string `json:"type"`
				InReplyTo string `json:"inReplyTo"`
				EndTime   string `json:"endTime"`
				Voters    int    `json:"votersCount"`
				OneOf     []struct {
					Name    string `json:"name"`
					Replies struct {
						TotalItems int `json:"totalItems"`
					} `json:"replies"`
				} `json:"oneOf"`
			} `json:"object"`
		}
		if err := json.Unmarshal(received[i].Body, &doc); err != nil || doc.Object.Type != "Question" {
			continue
		}
		counts := map[string]int{"voters": doc.Object.Voters}
		for _, o := range doc.Object.OneOf {
			counts[o.Name] = o.Replies.TotalItems
		}
		return counts
	}
	t.Fatalf("no %s of a Question received", kind)
	return nil
}

// A Mobilizon user joins an event with a message and is accepted (the Accept names her Join); a
// second participant of a one-place event waits, unanswered and told by a direct message; a
// redelivered Join changes nothing; the first one's Undo of her Join gives her place to the second,
// whose Join is accepted then; a Join signed by someone else than its actor is refused at the door,
// and a Join of an event on another server is ignored.
func TestJoinAndLeaveOfAnEvent(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		k := newKring(t, st)
		peer := newRemotePeer(t)
		k.join(t, peer, "follower", k.open)
		event := k.groupEvent(t, k.open, 1)
		if counts := pollCounts(t, peer, "Create"); counts["Going"] != 0 || len(counts) != 4 {
			t.Fatalf("poll published: %v", counts)
		}
		mo := member{peer: peer, name: "mo", key: peer.addUser("mo")}
		zoe := member{peer: peer, name: "zoe", key: peer.addUser("zoe")}
		joinOf := func(m member, n string) map[string]any {
			return map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": m.actor() + "/join/" + n, "type": "Join",
				"actor": m.actor(), "object": event.ObjectIRI, "participationMessage": "See you there"}
		}
		if status := k.send(t, mo, k.open, joinOf(mo, "1")); status != 202 {
			t.Fatalf("join: %d", status)
		}
		if state := k.stateOf(t, event, mo); state != model.ParticipantGoing {
			t.Fatalf("mo: %q", state)
		}
		accepts := peer.receivedOfType("Accept")
		var accept struct {
			Actor  string `json:"actor"`
			Object struct {
				ID     string `json:"id"`
				Type   string `json:"type"`
				Object string `json:"object"`
			} `json:"object"`
		}
		if err := json.Unmarshal(accepts[len(accepts)-1].Body, &accept); err != nil {
			t.Fatal(err)
		}
		if accept.Object.Type != "Join" || accept.Object.ID != mo.actor()+"/join/1" || accept.Object.Object != event.ObjectIRI ||
			accept.Actor != k.iris.GroupActor("lobby") || accepts[len(accepts)-1].Path != "/users/mo/inbox" {
			t.Fatalf("accept: %+v to %s", accept, accepts[len(accepts)-1].Path)
		}
		if counts := pollCounts(t, peer, "Update"); counts["Going"] != 1 || counts["voters"] != 1 {
			t.Fatalf("poll after the join: %v", counts)
		}

		// The shared inbox takes Joins too; the second participant waits.
		body, _ := json.Marshal(joinOf(zoe, "1"))
		if status := k.post(t, "/inbox", body, zoe.keyID(), zoe.key, nil); status != 202 {
			t.Fatalf("join at the shared inbox: %d", status)
		}
		k.processInbound(t)
		k.deliverAll(t)
		if state := k.stateOf(t, event, zoe); state != model.ParticipantWaiting {
			t.Fatalf("zoe: %q", state)
		}
		if n := len(peer.receivedOfType("Accept")); n != len(accepts) {
			t.Fatalf("a waiting participant was answered: %d Accepts", n)
		}
		if status := k.send(t, zoe, k.open, joinOf(zoe, "1")); status != 202 || k.stateOf(t, event, zoe) != model.ParticipantWaiting {
			t.Fatalf("redelivered join: %d", status)
		}

		// Signed by zoe, claiming to be mo's: refused before it is stored.
		forged, _ := json.Marshal(joinOf(mo, "2"))
		if status := k.post(t, "/groups/lobby/inbox", forged, zoe.keyID(), zoe.key, nil); status != 401 {
			t.Fatalf("forged join: %d", status)
		}
		// An event of another server is none of Kring's business.
		elsewhere := joinOf(zoe, "3")
		elsewhere["object"] = peer.server.URL + "/events/1"
		if status := k.send(t, zoe, k.open, elsewhere); status != 202 || k.stateOf(t, event, zoe) != model.ParticipantWaiting {
			t.Fatalf("join elsewhere: %d", status)
		}

		undo := map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": mo.actor() + "/undo/1", "type": "Undo",
			"actor": mo.actor(), "object": joinOf(mo, "1")}
		delete(undo["object"].(map[string]any), "@context")
		if status := k.send(t, mo, k.open, undo); status != 202 {
			t.Fatalf("undo: %d", status)
		}
		if mo, zoe := k.stateOf(t, event, mo), k.stateOf(t, event, zoe); mo != model.ParticipantDeclined || zoe != model.ParticipantGoing {
			t.Fatalf("after the undo: mo %q zoe %q", mo, zoe)
		}
		accepts = peer.receivedOfType("Accept")
		if err := json.Unmarshal(accepts[len(accepts)-1].Body, &accept); err != nil || accept.Object.ID != zoe.actor()+"/join/1" {
			t.Fatalf("zoe's accept: %+v %v", accept, err)
		}
		leave := map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": zoe.actor() + "/leave/1", "type": "Leave",
			"actor": zoe.actor(), "object": event.ObjectIRI}
		if status := k.send(t, zoe, k.open, leave); status != 202 || k.stateOf(t, event, zoe) != model.ParticipantDeclined {
			t.Fatalf("leave: %d", status)
		}
	})
}

// A Mastodon vote (a Create of a Note named after the option, no content, in reply to the poll and
// addressed to the group alone) is an answer, not a direct message for the support inbox; the poll
// is updated with the new counts; an unknown option changes nothing.
func TestPollVoteFromMastodon(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		k := newKring(t, st)
		peer := newRemotePeer(t)
		alice := k.join(t, peer, "alice", k.open)
		event := k.groupEvent(t, k.open, 0)
		voteOf := func(n, option string) map[string]any {
			note := map[string]any{"id": alice.actor() + "#votes/" + n, "type": "Note", "name": option,
				"attributedTo": alice.actor(), "inReplyTo": *event.PollObjectIRI, "to": k.iris.GroupActor("lobby")}
			return map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": alice.actor() + "#votes/" + n + "/activity",
				"type": "Create", "actor": alice.actor(), "to": k.iris.GroupActor("lobby"), "object": note}
		}
		if status := k.send(t, alice, k.open, voteOf("1", "Going")); status != 202 {
			t.Fatalf("vote: %d", status)
		}
		if state := k.stateOf(t, event, alice); state != model.ParticipantGoing {
			t.Fatalf("alice: %q", state)
		}
		if counts := pollCounts(t, peer, "Update"); counts["Going"] != 1 || counts["voters"] != 1 {
			t.Fatalf("poll: %v", counts)
		}
		if conversations, _ := supportOf(t, st, k.open); len(conversations) != 0 {
			t.Fatalf("the vote reached the support inbox: %d conversations", len(conversations))
		}
		updates := len(peer.receivedOfType("Update"))
		if status := k.send(t, alice, k.open, voteOf("2", "Never")); status != 202 || k.stateOf(t, event, alice) != model.ParticipantGoing {
			t.Fatalf("unknown option: %d", status)
		}
		if n := len(peer.receivedOfType("Update")); n != updates {
			t.Fatalf("an unknown option updated the poll")
		}
		if conversations, _ := supportOf(t, st, k.open); len(conversations) != 0 {
			t.Fatalf("the unknown vote reached the support inbox")
		}
		if status := k.send(t, alice, k.open, voteOf("3", "Can't come")); status != 202 || k.stateOf(t, event, alice) != model.ParticipantDeclined {
			t.Fatalf("changed vote: %d", status)
		}
		if counts := pollCounts(t, peer, "Update"); counts["Going"] != 0 || counts["Can't come"] != 1 {
			t.Fatalf("poll after the change: %v", counts)
		}
		// The poll's id serves it with its current counts.
		engine := gin.New()
		documents.NewRoutes(documents.Config{Store: st, IRIs: k.iris}).Mount(engine)
		pollURL, _ := url.Parse(*event.PollObjectIRI)
		req := httptest.NewRequest(http.MethodGet, pollURL.Path, nil)
		req.Header.Set("Accept", "application/activity+json")
		resp := httptest.NewRecorder()
		engine.ServeHTTP(resp, req)
		var served struct {
			Type  string
			ID    string
			OneOf []struct {
				Name    string
				Replies struct{ TotalItems int }
			}
		}
		if err := json.NewDecoder(resp.Body).Decode(&served); err != nil || resp.Code != 200 || served.Type != "Question" ||
			served.ID != *event.PollObjectIRI || len(served.OneOf) != 3 || served.OneOf[2].Replies.TotalItems != 1 {
			t.Fatalf("served poll: %d %+v %v", resp.Code, served, err)
		}
	})
}

// Friendica answers an event with Accept, TentativeAccept or Reject of the Event itself: each counts
// as Going, Maybe and Can't come, the latest replacing the earlier; an Accept of anything else, or
// of another server's event, changes nothing.
func TestEventAnswersAsFriendicaSendsThem(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		k := newKring(t, st)
		peer := newRemotePeer(t)
		ana := k.join(t, peer, "ana", k.open)
		event := k.groupEvent(t, k.open, 0)
		answer := func(kind, n, object string) map[string]any {
			return map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": ana.actor() + "/answers/" + n, "type": kind,
				"actor": ana.actor(), "object": object}
		}
		for i, step := range []struct {
			kind, object string
			want         model.ParticipantState
		}{
			{"Accept", event.ObjectIRI, model.ParticipantGoing},
			{"TentativeAccept", event.ObjectIRI, model.ParticipantMaybe},
			{"Accept", "https://elsewhere.example/events/1", model.ParticipantMaybe},
			{"Accept", k.iris.GroupActor("lobby"), model.ParticipantMaybe},
			{"Reject", event.ObjectIRI, model.ParticipantDeclined},
		} {
			if status := k.send(t, ana, k.open, answer(step.kind, strconv.Itoa(i), step.object)); status != 202 {
				t.Fatalf("%s of %s: %d", step.kind, step.object, status)
			}
			if got := k.stateOf(t, event, ana); got != step.want {
				t.Fatalf("after %s of %s: %q, want %q", step.kind, step.object, got, step.want)
			}
		}
	})
}
