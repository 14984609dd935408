package events_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kring-social/kring/app/events"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/test/testenv"
)

// sentMessage is one direct message the fake messenger was asked to send.
type sentMessage struct{ to, html string }

type fakeMessenger struct {
	mu   sync.Mutex
	sent []sentMessage
}

func (m *fakeMessenger) SendDirectHTML(_ context.Context, tx *store.Store, _ model.Group, to model.RemoteActor, contentHTML string) error {
	if !tx.InTransaction() {
		panic("reminder sent outside a transaction")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, sentMessage{to: to.IRI, html: contentHTML})
	return nil
}

func (m *fakeMessenger) messages() []sentMessage {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]sentMessage(nil), m.sent...)
}

type pages struct{}

func (pages) GroupEvent(slug, id string) string {
	return "https://kring.example/groups/" + slug + "/events/" + id
}

// clock is a settable time for the service.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

type reminderFixture struct {
	t         *testing.T
	st        *store.Store
	service   *events.Service
	messenger *fakeMessenger
	clock     *clock
	group     model.Group
	event     model.Event
}

// amsterdamEvening is 19:30 in Amsterdam on a winter Saturday: 18:30 UTC.
var amsterdamEvening = time.Date(2026, 12, 12, 18, 30, 0, 0, time.UTC)

func newReminderFixture(t *testing.T, st *store.Store) *reminderFixture {
	t.Helper()
	ctx := context.Background()
	if _, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "acme", Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	group, err := testenv.Groups(t, st).CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "lobby", Name: "Lobby",
		PostingPolicy: model.PostingAnyone})
	if err != nil {
		t.Fatal(err)
	}
	event, err := st.CreateEvent(ctx, model.Event{GroupID: group.ID, ObjectIRI: "https://kring.example/groups/lobby/events/x",
		Title: "Winter <party>", StartsAt: amsterdamEvening, TimeZone: "Europe/Amsterdam", PlaceName: "De Kring",
		PlaceAddress: "Dam 1, Amsterdam", JoinMode: model.JoinOpen, Status: model.EventConfirmed, PublishedAt: amsterdamEvening.Add(-72 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []struct {
		name  string
		state model.ParticipantState
	}{{"alice", model.ParticipantGoing}, {"bob", model.ParticipantMaybe}, {"carol", model.ParticipantDeclined}, {"dan", model.ParticipantWaiting}} {
		actor, err := st.SaveRemoteActor(ctx, model.RemoteActor{IRI: "https://remote.example/users/" + who.name, Host: "remote.example",
			ActorType: "Person", PreferredUsername: who.name, InboxURL: "https://remote.example/users/" + who.name + "/inbox", FetchedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.SaveParticipant(ctx, model.EventParticipant{EventID: event.ID, RemoteActorID: actor.ID, State: who.state, Via: model.ViaPoll}); err != nil {
			t.Fatal(err)
		}
	}
	messenger := &fakeMessenger{}
	now := &clock{now: amsterdamEvening.Add(-72 * time.Hour)}
	service := events.NewService(st, nil, messenger).WithPages(pages{}).WithClock(now.Now)
	return &reminderFixture{t: t, st: st, service: service, messenger: messenger, clock: now, group: group, event: event}
}

// schedule runs ScheduleReminders in a transaction and returns the payloads of the tasks it recorded.
func (f *reminderFixture) schedule(event model.Event, leads []time.Duration) []tasks.EventReminderPayload {
	f.t.Helper()
	ctx := context.Background()
	var before []model.QueuedTask
	if err := f.st.DB().Where("task_type = ?", tasks.TypeEventReminder).Find(&before).Error; err != nil {
		f.t.Fatal(err)
	}
	err := f.st.Transaction(ctx, func(tx *store.Store) error { return f.service.ScheduleReminders(ctx, tx, event, leads) })
	if err != nil {
		f.t.Fatal(err)
	}
	var rows []model.QueuedTask
	if err := f.st.DB().Where("task_type = ?", tasks.TypeEventReminder).Order("id").Find(&rows).Error; err != nil {
		f.t.Fatal(err)
	}
	var payloads []tasks.EventReminderPayload
	for _, row := range rows[len(before):] {
		var p tasks.EventReminderPayload
		if err := json.Unmarshal([]byte(row.Payload), &p); err != nil {
			f.t.Fatal(err)
		}
		if !row.RunAt.Equal(p.DueAt) || row.Queue != tasks.QueueFor(tasks.TypeEventReminder) {
			f.t.Errorf("task %s runs at %s on %s, want at its reminder's due time %s", row.ID, row.RunAt, row.Queue, p.DueAt)
		}
		payloads = append(payloads, p)
	}
	return payloads
}

func (f *reminderFixture) send(p tasks.EventReminderPayload) {
	f.t.Helper()
	if err := f.service.SendReminder(context.Background(), p.ReminderID, p.DueAt); err != nil {
		f.t.Fatal(err)
	}
}

func TestReminderGoesOnceToThoseComing(t *testing.T) {
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newReminderFixture(t, st)
		payloads := f.schedule(f.event, nil)
		if len(payloads) != 2 {
			t.Fatalf("%d reminder tasks, want 2 (a day and an hour before)", len(payloads))
		}
		dayBefore := payloads[0]
		if payloads[1].DueAt.Before(dayBefore.DueAt) {
			dayBefore = payloads[1]
		}
		if !dayBefore.DueAt.Equal(amsterdamEvening.Add(-24 * time.Hour)) {
			t.Errorf("day-before reminder due %s", dayBefore.DueAt)
		}

		f.clock.Set(dayBefore.DueAt)
		f.send(dayBefore)
		f.send(dayBefore) // the task ran twice (a retry after a lost acknowledgement, a sweep)
		sent := f.messenger.messages()
		if len(sent) != 2 {
			t.Fatalf("%d messages, want 2 (going and maybe, once each): %v", len(sent), sent)
		}
		to := map[string]bool{}
		for _, m := range sent {
			to[m.to] = true
		}
		if !to["https://remote.example/users/alice"] || !to["https://remote.example/users/bob"] {
			t.Errorf("reminded %v, want alice (going) and bob (maybe)", to)
		}
		for _, want := range []string{"Winter &lt;party&gt;", "Saturday 12 December 2026, 19:30 CET (Europe/Amsterdam)",
			"De Kring, Dam 1, Amsterdam", "https://kring.example/groups/lobby/events/" + f.event.ID} {
			if !strings.Contains(sent[0].html, want) {
				t.Errorf("reminder %q lacks %q", sent[0].html, want)
			}
		}
		reminder, err := st.EventReminderByID(context.Background(), dayBefore.ReminderID)
		if err != nil || reminder.SentAt == nil {
			t.Errorf("reminder not marked sent: %+v, %v", reminder, err)
		}
		// Scheduling again (an edit that keeps the time) records no task for the reminder sent.
		if again := f.schedule(f.event, nil); len(again) != 1 {
			t.Errorf("%d tasks after an edit, want 1 (the hour-before reminder)", len(again))
		}
	})
}

func TestCancelledEventSendsNoReminder(t *testing.T) {
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newReminderFixture(t, st)
		payloads := f.schedule(f.event, []time.Duration{time.Hour})
		if len(payloads) != 1 {
			t.Fatalf("%d tasks, want 1", len(payloads))
		}
		cancelled := time.Now()
		if err := st.UpdateEvent(context.Background(), f.event.ID, store.EventChange{Status: store.To(model.EventCancelled),
			CancelledAt: store.To(&cancelled)}); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(payloads[0].DueAt)
		f.send(payloads[0])
		if sent := f.messenger.messages(); len(sent) != 0 {
			t.Errorf("a cancelled event sent %d reminders", len(sent))
		}
		event, err := st.EventByID(context.Background(), f.event.ID)
		if err != nil {
			t.Fatal(err)
		}
		if again := f.schedule(event, nil); len(again) != 0 {
			t.Errorf("a cancelled event got %d reminder tasks", len(again))
		}
	})
}

func TestEditedStartMovesTheReminder(t *testing.T) {
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newReminderFixture(t, st)
		stale := f.schedule(f.event, []time.Duration{time.Hour})
		if len(stale) != 1 {
			t.Fatalf("%d tasks, want 1", len(stale))
		}
		later := amsterdamEvening.Add(2 * time.Hour)
		if err := st.UpdateEvent(context.Background(), f.event.ID, store.EventChange{StartsAt: store.To(later),
			Sequence: store.To(1)}); err != nil {
			t.Fatal(err)
		}
		edited, err := st.EventByID(context.Background(), f.event.ID)
		if err != nil {
			t.Fatal(err)
		}
		moved := f.schedule(edited, []time.Duration{time.Hour})
		if len(moved) != 1 || moved[0].ReminderID != stale[0].ReminderID || !moved[0].DueAt.Equal(later.Add(-time.Hour)) {
			t.Fatalf("after the edit: %+v, want the same reminder due at %s", moved, later.Add(-time.Hour))
		}

		f.clock.Set(stale[0].DueAt)
		f.send(stale[0])
		if sent := f.messenger.messages(); len(sent) != 0 {
			t.Fatalf("the stale task sent %d reminders", len(sent))
		}
		f.clock.Set(moved[0].DueAt)
		f.send(moved[0])
		sent := f.messenger.messages()
		if len(sent) != 2 || !strings.Contains(sent[0].html, "21:30 CET") {
			t.Errorf("after the move: %v, want two reminders of 21:30", sent)
		}
	})
}

func TestDeletedOrStartedEventSendsNoReminder(t *testing.T) {
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newReminderFixture(t, st)
		payloads := f.schedule(f.event, []time.Duration{time.Hour})
		// The worker was down: the task runs after the event started.
		f.clock.Set(amsterdamEvening.Add(time.Minute))
		f.send(payloads[0])
		if err := st.DeleteEvent(context.Background(), f.event.ID); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(payloads[0].DueAt)
		f.send(payloads[0])
		if sent := f.messenger.messages(); len(sent) != 0 {
			t.Errorf("sent %d reminders for an event that started, then was deleted", len(sent))
		}
	})
}
