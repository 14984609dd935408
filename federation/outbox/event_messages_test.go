package outbox_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/wiring"
	"github.com/kring-social/kring/test/testenv"
)

// TestEventReminderGoesAsADirectMessage: the wired events service sends a reminder as the group's
// direct message to each participant's own inbox, addressed to her alone, with the event's page.
func TestEventReminderGoesAsADirectMessage(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newBanFixture(t, st)
		fed, err := wiring.Build(ctx, wiring.Config{PublicURL: &url.URL{Scheme: "https", Host: "kring.example"}, Version: "test",
			SigningKeys: testenv.SigningKeys(t)}, st, nil)
		if err != nil {
			t.Fatal(err)
		}
		starts := time.Now().Add(48 * time.Hour)
		event, err := st.CreateEvent(ctx, model.Event{GroupID: f.group.ID, ObjectIRI: f.groupIRI + "/events/e1", Title: "Picnic",
			StartsAt: starts, TimeZone: "Europe/Amsterdam", OnlineURL: "https://meet.example/p", JoinMode: model.JoinOpen,
			Status: model.EventConfirmed, PublishedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.SaveParticipant(ctx, model.EventParticipant{EventID: event.ID, RemoteActorID: f.alice.ID,
			State: model.ParticipantGoing, Via: model.ViaJoin}); err != nil {
			t.Fatal(err)
		}
		if err := st.Transaction(ctx, func(tx *store.Store) error {
			return fed.Events.ScheduleReminders(ctx, tx, event, []time.Duration{24 * time.Hour})
		}); err != nil {
			t.Fatal(err)
		}
		reminders, err := st.SetEventReminders(ctx, event, []time.Duration{24 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		due := reminders[0].DueAt
		if err := fed.Events.WithClock(func() time.Time { return due }).SendReminder(ctx, reminders[0].ID, due); err != nil {
			t.Fatal(err)
		}
		creates := f.sentOfType(t, "Create")
		if len(creates) != 1 || creates[0].Inbox != f.alice.InboxURL {
			t.Fatalf("reminders queued: %+v, want one Create to alice's inbox", creates)
		}
		note, _ := creates[0].Doc["object"].(map[string]any)
		content, _ := note["content"].(string)
		for _, want := range []string{"Picnic", "https://kring.example/groups/lobby/events/" + event.ID, "https://meet.example/p"} {
			if !strings.Contains(content, want) {
				t.Errorf("reminder %q lacks %q", content, want)
			}
		}
		if to := creates[0].Doc["to"]; to != f.alice.IRI && !(len(asList(to)) == 1 && asList(to)[0] == f.alice.IRI) {
			t.Errorf("reminder addressed to %v, want alice alone", creates[0].Doc["to"])
		}
	})
}

func asList(v any) []any {
	list, _ := v.([]any)
	return list
}
