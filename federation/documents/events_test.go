package documents_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// TestEventResolvesAtItsID: the Event's id answers servers with the Event (Mobilizon fetches it
// before a Join) and its participant count (browsers are the event pages' business: app/web's
// tests); an event of another group, or
// none, is not found under this group.
func TestEventResolvesAtItsID(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s := newSite(t, st)
		id := model.NewID()
		event, err := st.CreateEvent(ctx, model.Event{ID: id, GroupID: s.lobby.ID, ObjectIRI: s.iris.GroupEvent("lobby", id), Title: "Picnic",
			StartsAt: time.Date(2031, 6, 1, 10, 0, 0, 0, time.UTC), TimeZone: "Europe/Berlin", PlaceName: "Park", Capacity: 10,
			JoinMode: model.JoinOpen, Status: model.EventConfirmed, PublishedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		actor, err := st.SaveRemoteActor(ctx, model.RemoteActor{IRI: "https://m.example/@ann", Host: "m.example", ActorType: "Person",
			PreferredUsername: "ann", InboxURL: "https://m.example/@ann/inbox", FetchedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.SaveParticipant(ctx, model.EventParticipant{EventID: event.ID, RemoteActorID: actor.ID, State: model.ParticipantGoing, Via: model.ViaJoin}); err != nil {
			t.Fatal(err)
		}

		rec := s.get(t, "/groups/lobby/events/"+event.ID, "application/activity+json")
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/activity+json; charset=utf-8" {
			t.Fatalf("event as JSON: %d %s", rec.Code, rec.Header().Get("Content-Type"))
		}
		var doc map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if doc["type"] != "Event" || doc["id"] != event.ObjectIRI || doc["participantCount"] != float64(1) ||
			doc["remainingAttendeeCapacity"] != float64(9) || doc["startTime"] != "2031-06-01T10:00:00Z" || doc["timezone"] != "Europe/Berlin" {
			t.Errorf("event document %v", doc)
		}
		if rec := s.get(t, "/groups/lobby/events/"+event.ID, "text/html"); rec.Code != http.StatusNotFound {
			t.Errorf("a browser where no event pages are mounted: %d", rec.Code)
		}
		for _, path := range []string{"/groups/lobby/events/" + model.NewID(), "/groups/nobody/events/" + event.ID} {
			if rec := s.get(t, path, "application/activity+json"); rec.Code != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", path, rec.Code)
			}
		}
	})
}

// TestOutboxListsEvents: the group's outbox lists the Create of an event it published, beside its
// posts, newest first, and counts it.
func TestOutboxListsEvents(t *testing.T) {
	t.Parallel()
	st := testenv.SQLite(t)
	ctx := context.Background()
	s := newSite(t, st)
	id := model.NewID()
	create := "https://kring.example/activities/" + id
	if _, err := st.CreateOutboundActivity(ctx, model.OutboundActivity{ActivityIRI: create, ActorKind: model.OwnerGroup, GroupID: &s.lobby.ID,
		ActivityType: "Create", Body: `{"@context":"https://www.w3.org/ns/activitystreams","id":"` + create + `","type":"Create","object":{"type":"Event","id":"` + s.iris.GroupEvent("lobby", id) + `"}}`}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateEvent(ctx, model.Event{ID: id, GroupID: s.lobby.ID, ObjectIRI: s.iris.GroupEvent("lobby", id), Title: "Picnic",
		StartsAt: time.Now().Add(time.Hour), TimeZone: "UTC", PlaceName: "Park", JoinMode: model.JoinOpen, Status: model.EventConfirmed,
		PublishedAt: time.Now(), CreateActivityIRI: create}); err != nil {
		t.Fatal(err)
	}
	rec := s.get(t, "/groups/lobby/outbox", "application/activity+json")
	var outbox struct {
		TotalItems   int `json:"totalItems"`
		OrderedItems []struct {
			ID     string
			Object map[string]any
		} `json:"orderedItems"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &outbox); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("outbox %d %v: %s", rec.Code, err, rec.Body)
	}
	if outbox.TotalItems != 1 || len(outbox.OrderedItems) != 1 || outbox.OrderedItems[0].ID != create || outbox.OrderedItems[0].Object["type"] != "Event" {
		t.Errorf("outbox %+v, want the event's Create", outbox)
	}
}
