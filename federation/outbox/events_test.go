package outbox_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/events"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/wiring"
	"github.com/kring-social/kring/test/testenv"
)

// TestEventsFederateAsMobilizonWritesThem: an event created by staff reaches the group's followers
// as a Create of an Event with Mobilizon's fields and a content that leads with its date, time with
// zone and place, and its reminders are scheduled (a day and an hour before); an edit sends an Update with a higher iCalendar sequence kept in the store; a
// cancellation sends an Update with ical:status CANCELLED; a deletion sends a Delete of its id; bad
// drafts are refused before anything is stored.
func TestEventsFederateAsMobilizonWritesThem(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newBanFixture(t, st)
		fed, err := wiring.Build(ctx, wiring.Config{PublicURL: &url.URL{Scheme: "https", Host: "kring.example"}, Version: "test"}, st, nil)
		if err != nil {
			t.Fatal(err)
		}
		service := fed.Events
		end := time.Date(2026, 12, 12, 22, 0, 0, 0, time.UTC)
		draft := events.Draft{Title: "Winter assembly", Description: "Heating, repairs, and soup.",
			Start: time.Date(2026, 12, 12, 19, 30, 0, 0, time.UTC), End: &end, TimeZone: "Europe/Amsterdam",
			PlaceName: "Community centre", PlaceAddress: "Main Street 1, Utrecht", Capacity: 40, JoinMode: model.JoinApproval}

		for name, bad := range map[string]events.Draft{
			"no title":  {Start: draft.Start, TimeZone: "Europe/Amsterdam", PlaceName: "x"},
			"bad zone":  {Title: "x", Start: draft.Start, TimeZone: "Mars/Olympus", PlaceName: "x"},
			"no place":  {Title: "x", Start: draft.Start, TimeZone: "Europe/Amsterdam"},
			"end first": {Title: "x", Start: draft.Start, End: &draft.Start, TimeZone: "Europe/Amsterdam", PlaceName: "x"},
			"bad link":  {Title: "x", Start: draft.Start, TimeZone: "Europe/Amsterdam", OnlineURL: "javascript:alert(1)"},
		} {
			if _, err := service.Create(ctx, f.group.ID, nil, bad); apperror.KindOf(err) != apperror.KindInvalid {
				t.Errorf("%s: %v, want invalid", name, err)
			}
		}

		event, err := service.Create(ctx, f.group.ID, nil, draft)
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2026, 12, 12, 18, 30, 0, 0, time.UTC); !event.StartsAt.Equal(want) {
			t.Errorf("starts at %s, want %s (19:30 in Amsterdam in winter)", event.StartsAt, want)
		}
		var reminders, tasks int64
		if err := st.DB().Model(&model.EventReminder{}).Where("event_id = ? AND sent_at IS NULL", event.ID).Count(&reminders).Error; err != nil {
			t.Fatal(err)
		}
		if err := st.DB().Model(&model.QueuedTask{}).Where("task_type = ?", "event:remind").Count(&tasks).Error; err != nil {
			t.Fatal(err)
		}
		if reminders != 2 || tasks != 2 {
			t.Errorf("publishing scheduled %d reminders with %d tasks, want a day and an hour before", reminders, tasks)
		}
		creates := aboutEvents(f.sentOfType(t, "Create"))
		if len(creates) != 2 { // one per follower's shared inbox
			t.Fatalf("%d Creates of the Event queued, want 2", len(creates))
		}
		if polls := len(f.sentOfType(t, "Create")) - len(creates); polls != 2 {
			t.Errorf("%d Creates of the RSVP poll queued, want 2", polls)
		}
		object, _ := creates[0].Doc["object"].(map[string]any)
		want := map[string]any{"type": "Event", "id": event.ObjectIRI, "name": "Winter assembly", "startTime": "2026-12-12T18:30:00Z",
			"endTime": "2026-12-12T21:00:00Z", "timezone": "Europe/Amsterdam", "joinMode": "restricted", "ical:status": "CONFIRMED",
			"url": event.ObjectIRI, "attributedTo": f.groupIRI}
		for key, value := range want {
			if object[key] != value {
				t.Errorf("Event %s = %v, want %v", key, object[key], value)
			}
		}
		if object["maximumAttendeeCapacity"] != float64(40) || object["participantCount"] != float64(0) || object["remainingAttendeeCapacity"] != float64(40) {
			t.Errorf("capacity fields %v %v %v", object["maximumAttendeeCapacity"], object["participantCount"], object["remainingAttendeeCapacity"])
		}
		location, _ := object["location"].(map[string]any)
		address, _ := location["address"].(map[string]any)
		if location["type"] != "Place" || location["name"] != "Community centre" || address["streetAddress"] != "Main Street 1, Utrecht" {
			t.Errorf("location %v", location)
		}
		content, _ := object["content"].(string)
		if !strings.HasPrefix(content, "<p>📅 Saturday 12 December 2026, 19:30–22:00 CET (Europe/Amsterdam)<br>📍 Community centre, Main Street 1, Utrecht</p>") {
			t.Errorf("content %q does not lead with when and where", content)
		}
		if !strings.Contains(contextOf(creates[0].Doc), "joinmobilizon.org/ns#") {
			t.Errorf("@context %v declares no Mobilizon terms", creates[0].Doc["@context"])
		}

		draft.Title, draft.Capacity = "Winter assembly (new room)", 60
		edited, err := service.Edit(ctx, event.ID, nil, draft)
		if err != nil || edited.Sequence != 1 {
			t.Fatalf("edit: %+v %v", edited, err)
		}
		updates := aboutEvents(f.sentOfType(t, "Update"))
		if len(updates) != 2 || updates[0].Doc["object"].(map[string]any)["name"] != "Winter assembly (new room)" {
			t.Fatalf("updates after the edit: %+v", updates)
		}
		cancelled, err := service.Cancel(ctx, event.ID, nil, "The centre is closed.")
		if err != nil || cancelled.Status != model.EventCancelled || cancelled.Sequence != 2 {
			t.Fatalf("cancel: %+v %v", cancelled, err)
		}
		updates = aboutEvents(f.sentOfType(t, "Update"))
		if len(updates) != 4 || updates[3].Doc["object"].(map[string]any)["ical:status"] != "CANCELLED" {
			t.Fatalf("updates after cancelling: %d", len(updates))
		}
		if _, err := service.Cancel(ctx, event.ID, nil, ""); apperror.KindOf(err) != apperror.KindConflict {
			t.Errorf("cancelling twice: %v, want a conflict", err)
		}
		if stored, err := st.EventByID(ctx, event.ID); err != nil || stored.Sequence != 2 || stored.Status != model.EventCancelled {
			t.Errorf("stored after cancelling: %+v %v", stored, err)
		}
		if err := service.Delete(ctx, event.ID, nil); err != nil {
			t.Fatal(err)
		}
		deletes := f.sentOfType(t, "Delete")
		if len(deletes) != 2 || deletes[0].Doc["object"] != event.ObjectIRI {
			t.Fatalf("deletes %+v", deletes)
		}
		for action, n := range map[model.LogAction]int{model.ActionEventCreate: 1, model.ActionEventEdit: 1, model.ActionEventCancel: 1, model.ActionEventDelete: 1} {
			if got := len(f.logged(t, action)); got != n {
				t.Errorf("%s logged %d times, want %d", action, got, n)
			}
		}
	})
}

// aboutEvents keeps the activities whose object is an Event (not the event's poll).
func aboutEvents(all []sent) []sent {
	var out []sent
	for _, a := range all {
		if object, ok := a.Doc["object"].(map[string]any); ok && object["type"] == "Event" {
			out = append(out, a)
		}
	}
	return out
}

// contextOf is a document's @context as text.
func contextOf(doc map[string]any) string {
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			b.WriteString(v + " ")
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(doc["@context"])
	return b.String()
}
