package workers_test

import (
	"context"
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

type countingMessenger struct {
	mu   sync.Mutex
	sent []string
}

func (m *countingMessenger) SendDirectHTML(_ context.Context, _ *store.Store, _ model.Group, to model.RemoteActor, _ string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, to.IRI)
	return nil
}

func (m *countingMessenger) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sent)
}

// A reminder recorded in the transaction that scheduled it survives a broker that lost its data:
// the sweeper of the worker that starts next puts it back, and it is sent once, when due, though
// two workers start together.
func TestEventReminderSurvivesALostBroker(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	opt := testenv.Redis(t)
	wireDispatcher(t, st, opt)
	ctx := context.Background()
	if _, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "acme", Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	group, err := testenv.Groups(t, st).CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "lobby", Name: "Lobby",
		PostingPolicy: model.PostingAnyone})
	if err != nil {
		t.Fatal(err)
	}
	// Its hour-before reminder is due two seconds from now.
	event, err := st.CreateEvent(ctx, model.Event{GroupID: group.ID, ObjectIRI: "https://kring.example/groups/lobby/events/x",
		Title: "Meet-up", StartsAt: time.Now().Add(time.Hour + 2*time.Second), TimeZone: "Europe/Amsterdam",
		JoinMode: model.JoinOpen, Status: model.EventConfirmed, PublishedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	actor, err := st.SaveRemoteActor(ctx, model.RemoteActor{IRI: "https://remote.example/users/alice", Host: "remote.example",
		ActorType: "Person", PreferredUsername: "alice", InboxURL: "https://remote.example/users/alice/inbox", FetchedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveParticipant(ctx, model.EventParticipant{EventID: event.ID, RemoteActorID: actor.ID, State: model.ParticipantGoing, Via: model.ViaJoin}); err != nil {
		t.Fatal(err)
	}
	messenger := &countingMessenger{}
	service := events.NewService(st, nil, messenger)
	if err := st.Transaction(ctx, func(tx *store.Store) error {
		return service.ScheduleReminders(ctx, tx, event, []time.Duration{time.Hour})
	}); err != nil {
		t.Fatal(err)
	}
	var rows []model.QueuedTask
	if err := st.DB().Where("task_type = ?", tasks.TypeEventReminder).Find(&rows).Error; err != nil || len(rows) != 1 {
		t.Fatalf("%d reminder tasks recorded (err %v), want 1", len(rows), err)
	}
	if got := queueTotals(t, opt).Scheduled; got != 1 {
		t.Fatalf("broker holds %d scheduled tasks, want 1", got)
	}
	flush(t, opt) // Redis lost its data
	if got := queueTotals(t, opt).Scheduled; got != 0 {
		t.Fatalf("broker holds %d scheduled after FLUSHDB", got)
	}

	for range 2 {
		srv := newServer(t, st, opt, nil)
		srv.HandleEventReminders(service)
		start(t, srv)
	}
	waitFor(t, "the reminder's task is done", func() bool { return rowGone(t, st, rows[0].ID) })
	if n := messenger.count(); n != 1 {
		t.Errorf("%d reminders sent, want 1", n)
	}
	reminders, err := st.SetEventReminders(ctx, event, []time.Duration{time.Hour})
	if err != nil || len(reminders) != 1 || reminders[0].SentAt == nil {
		t.Errorf("reminder not marked sent: %+v (err %v)", reminders, err)
	}
}
