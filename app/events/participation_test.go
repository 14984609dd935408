package events_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kring-social/kring/app/events"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// recorder is every outbound side of the service at once, noting what it was asked to send.
type recorder struct {
	mu           sync.Mutex
	answers      []string // "accept <actor>" or "reject <actor>"
	messages     []string // "<actor>: <html>"
	eventUpdates []events.Counts
	pollUpdates  []events.Counts
	published    int
}

func (r *recorder) EventObjectIRI(group model.Group, eventID string) string {
	return "https://kring.example/groups/" + group.Slug + "/events/" + eventID
}

func (r *recorder) PublishEvent(context.Context, *store.Store, model.Group, model.Event, events.Counts) (string, error) {
	return "", nil
}

func (r *recorder) UpdateEvent(_ context.Context, _ *store.Store, _ model.Group, _ model.Event, counts events.Counts) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.eventUpdates = append(r.eventUpdates, counts)
	return nil
}

func (r *recorder) DeleteEvent(context.Context, *store.Store, model.Group, model.Event) error {
	return nil
}

func (r *recorder) AnswerJoin(_ context.Context, _ *store.Store, _ model.Group, _ model.Event, p model.EventParticipant, actor model.RemoteActor, accept bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	kind := "reject"
	if accept {
		kind = "accept"
	}
	r.answers = append(r.answers, kind+" "+actor.PreferredUsername+" "+p.JoinActivityIRI)
	return nil
}

func (r *recorder) PublishPoll(_ context.Context, _ *store.Store, group model.Group, event model.Event, _ events.Counts) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.published++
	return "https://kring.example/groups/" + group.Slug + "/events/" + event.ID + "/poll", nil
}

func (r *recorder) UpdatePoll(_ context.Context, _ *store.Store, _ model.Group, _ model.Event, counts events.Counts) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pollUpdates = append(r.pollUpdates, counts)
	return nil
}

func (r *recorder) SendDirectHTML(_ context.Context, _ *store.Store, _ model.Group, to model.RemoteActor, contentHTML string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.messages = append(r.messages, to.PreferredUsername+": "+contentHTML)
	return nil
}

func (r *recorder) take() (answers, messages []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	answers, messages = r.answers, r.messages
	r.answers, r.messages = nil, nil
	return answers, messages
}

type fixture struct {
	st      *store.Store
	service *events.Service
	rec     *recorder
	group   model.Group
}

func newFixture(t *testing.T, st *store.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	if _, err := organisations.NewService(st).CreateOrganisation(ctx, "acme", "Acme"); err != nil {
		t.Fatal(err)
	}
	group, err := testenv.Groups(t, st).CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "lobby", Name: "Lobby"})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	service := events.NewService(st, rec, rec).WithParticipation(rec).WithPoll(rec)
	return &fixture{st: st, service: service, rec: rec, group: group}
}

func (f *fixture) event(t *testing.T, capacity int, mode model.JoinMode) model.Event {
	t.Helper()
	id := model.NewID()
	event, err := f.st.CreateEvent(context.Background(), model.Event{ID: id, GroupID: f.group.ID,
		ObjectIRI: "https://kring.example/groups/lobby/events/" + id, Title: "Picnic <in the park>",
		StartsAt: time.Now().Add(48 * time.Hour), TimeZone: "Europe/Amsterdam", Capacity: capacity, JoinMode: mode,
		Status: model.EventConfirmed, PublishedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return event
}

func (f *fixture) actor(t *testing.T, name, host string) model.RemoteActor {
	t.Helper()
	now := time.Now().UTC()
	actor := model.RemoteActor{ID: model.NewID(), IRI: "https://" + host + "/users/" + name, Host: host, ActorType: "Person",
		PreferredUsername: name, InboxURL: "https://" + host + "/users/" + name + "/inbox", FetchedAt: now, CreatedAt: now, UpdatedAt: now}
	if err := f.st.DB().Create(&actor).Error; err != nil {
		t.Fatal(err)
	}
	return actor
}

func (f *fixture) counts(t *testing.T, event model.Event) map[model.ParticipantState]int {
	t.Helper()
	counts, err := f.st.CountParticipants(context.Background(), event.ID)
	if err != nil {
		t.Fatal(err)
	}
	return counts
}

func (f *fixture) join(t *testing.T, event model.Event, a model.RemoteActor, n int) events.Result {
	t.Helper()
	result, err := f.service.ReceiveJoin(context.Background(), event.ID, a, fmt.Sprintf("%s/joins/%d", a.IRI, n), "")
	if err != nil {
		t.Fatal(err)
	}
	return result
}

// An open event with two places: the first two Joins go (each accepted), the third waits (told by
// a direct message, her Join left unanswered as Mobilizon expects), a redelivered Join changes
// nothing, and when someone leaves her place goes to the waiting list with the Accept of that Join.
func TestJoinsFillPlacesThenTheWaitingList(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		event := f.event(t, 2, model.JoinOpen)
		ann, bob, cat := f.actor(t, "ann", "a.example"), f.actor(t, "bob", "b.example"), f.actor(t, "cat", "c.example")
		for i, a := range []model.RemoteActor{ann, bob} {
			if r := f.join(t, event, a, 1); r.Outcome != events.Going {
				t.Fatalf("join %d: %+v", i, r)
			}
		}
		if r := f.join(t, event, cat, 1); r.Outcome != events.Waiting || r.State != model.ParticipantWaiting {
			t.Fatalf("third join: %+v", r)
		}
		answers, messages := f.rec.take()
		if strings.Join(answers, "|") != "accept ann "+ann.IRI+"/joins/1|accept bob "+bob.IRI+"/joins/1" {
			t.Fatalf("answers: %q", answers)
		}
		if len(messages) != 1 || !strings.HasPrefix(messages[0], "cat: ") || !strings.Contains(messages[0], "waiting list") ||
			!strings.Contains(messages[0], "Picnic &lt;in the park&gt;") {
			t.Fatalf("messages: %q", messages)
		}
		if r := f.join(t, event, cat, 1); r.Outcome != events.Unchanged {
			t.Fatalf("redelivered join: %+v", r)
		}
		if answers, messages := f.rec.take(); len(answers)+len(messages) != 0 {
			t.Fatalf("a redelivery sent %q %q", answers, messages)
		}
		updatesBefore := len(f.rec.eventUpdates)
		if r, err := f.service.ReceiveLeave(ctx, event.ID, ann); err != nil || r.State != model.ParticipantDeclined {
			t.Fatalf("leave: %+v %v", r, err)
		}
		answers, messages = f.rec.take()
		if len(answers) != 1 || answers[0] != "accept cat "+cat.IRI+"/joins/1" || len(messages) != 1 || !strings.HasPrefix(messages[0], "cat: ") {
			t.Fatalf("promotion: %q %q", answers, messages)
		}
		counts := f.counts(t, event)
		if counts[model.ParticipantGoing] != 2 || counts[model.ParticipantWaiting] != 0 || counts[model.ParticipantDeclined] != 1 {
			t.Fatalf("counts: %v", counts)
		}
		if len(f.rec.eventUpdates) != updatesBefore+1 || f.rec.eventUpdates[len(f.rec.eventUpdates)-1].Going() != 2 {
			t.Fatalf("event updates: %v", f.rec.eventUpdates)
		}
		// Leaving twice, or leaving what she never joined, changes nothing.
		if r, err := f.service.ReceiveLeave(ctx, event.ID, ann); err != nil || r.Outcome != events.Unchanged {
			t.Fatalf("second leave: %+v %v", r, err)
		}
	})
}

// An event needing approval holds Joins for a moderator, who approves one (accepted, logged) and
// rejects another (rejected, logged); a rejected participant's new Join is rejected too, and a
// removed participant's place goes to the waiting list.
func TestModeratorsDecideJoinsOfEventsNeedingApproval(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		event := f.event(t, 1, model.JoinApproval)
		ann, bob, cat := f.actor(t, "ann", "a.example"), f.actor(t, "bob", "b.example"), f.actor(t, "cat", "c.example")
		for _, a := range []model.RemoteActor{ann, bob, cat} {
			if r := f.join(t, event, a, 1); r.Outcome != events.Pending {
				t.Fatalf("join of %s: %+v", a.PreferredUsername, r)
			}
		}
		if answers, _ := f.rec.take(); len(answers) != 0 {
			t.Fatalf("pending Joins answered: %q", answers)
		}
		if state, err := f.service.ApproveParticipant(ctx, event.ID, ann.IRI, nil); err != nil || state != model.ParticipantGoing {
			t.Fatalf("approve ann: %v %v", state, err)
		}
		if state, err := f.service.ApproveParticipant(ctx, event.ID, cat.IRI, nil); err != nil || state != model.ParticipantWaiting {
			t.Fatalf("approve cat on a full event: %v %v", state, err)
		}
		if state, err := f.service.RejectParticipant(ctx, event.ID, bob.IRI, nil); err != nil || state != model.ParticipantRejected {
			t.Fatalf("reject bob: %v %v", state, err)
		}
		if _, err := f.service.RejectParticipant(ctx, event.ID, bob.IRI, nil); err == nil {
			t.Fatal("rejected twice")
		}
		answers, messages := f.rec.take()
		if strings.Join(answers, "|") != "accept ann "+ann.IRI+"/joins/1|reject bob "+bob.IRI+"/joins/1" || len(messages) != 1 {
			t.Fatalf("answers %q messages %q", answers, messages)
		}
		if r := f.join(t, event, bob, 2); r.Outcome != events.Refused {
			t.Fatalf("rejected participant's new Join: %+v", r)
		}
		if answers, _ := f.rec.take(); len(answers) != 1 || answers[0] != "reject bob "+bob.IRI+"/joins/2" {
			t.Fatalf("answer to a rejected participant's Join: %q", answers)
		}
		if state, err := f.service.RemoveParticipant(ctx, event.ID, ann.IRI, nil); err != nil || state != model.ParticipantRejected {
			t.Fatalf("remove ann: %v %v", state, err)
		}
		answers, _ = f.rec.take()
		if strings.Join(answers, "|") != "reject ann "+ann.IRI+"/joins/1|accept cat "+cat.IRI+"/joins/1" {
			t.Fatalf("removal: %q", answers)
		}
		log, err := st.ModerationLog(ctx, store.ModerationLogFilter{GroupID: f.group.ID})
		if err != nil {
			t.Fatal(err)
		}
		actions := map[model.LogAction]int{}
		for _, entry := range log {
			actions[entry.Action]++
		}
		if actions[model.ActionEventApprove] != 2 || actions[model.ActionEventReject] != 1 || actions[model.ActionEventRemove] != 1 {
			t.Fatalf("log: %v", actions)
		}
	})
}

// Votes in the poll are answers too: Going takes a place (or waits), Maybe and Can't come hold none,
// a changed vote replaces the old one and frees her place, a redelivered vote and an unknown option
// change nothing; each change updates the poll's counts.
func TestPollVotesAreAnswers(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		event := f.event(t, 1, model.JoinOpen)
		err := st.Transaction(ctx, func(tx *store.Store) error {
			var err error
			event, err = f.service.OpenPoll(ctx, tx, f.group, event)
			return err
		})
		if err != nil || event.PollObjectIRI == nil || f.rec.published != 1 {
			t.Fatalf("open poll: %v %v", event.PollObjectIRI, err)
		}
		stored, err := st.EventByPoll(ctx, *event.PollObjectIRI)
		if err != nil || stored.ID != event.ID {
			t.Fatalf("event by poll: %v", err)
		}
		ann, bob := f.actor(t, "ann", "a.example"), f.actor(t, "bob", "b.example")
		vote := func(a model.RemoteActor, n int, option string) events.Result {
			t.Helper()
			r, err := f.service.ReceiveVote(ctx, event.ID, a, fmt.Sprintf("%s#votes/%d", a.IRI, n), option)
			if err != nil {
				t.Fatalf("vote %s: %v", option, err)
			}
			return r
		}
		if r := vote(ann, 1, events.PollGoing); r.State != model.ParticipantGoing {
			t.Fatalf("ann going: %+v", r)
		}
		if r := vote(bob, 1, events.PollGoing); r.State != model.ParticipantWaiting {
			t.Fatalf("bob going on a full event: %+v", r)
		}
		if r := vote(bob, 1, events.PollGoing); r.Outcome != events.Unchanged {
			t.Fatalf("redelivered vote: %+v", r)
		}
		if r := vote(ann, 2, events.PollCantCome); r.State != model.ParticipantDeclined {
			t.Fatalf("ann changes her vote: %+v", r)
		}
		if r := vote(ann, 3, events.PollMaybe); r.State != model.ParticipantMaybe {
			t.Fatalf("ann maybe: %+v", r)
		}
		if _, err := f.service.ReceiveVote(ctx, event.ID, ann, ann.IRI+"#votes/4", "Perhaps"); !errors.Is(err, events.ErrUnknownOption) {
			t.Fatalf("unknown option: %v", err)
		}
		counts := f.counts(t, event)
		if counts[model.ParticipantGoing] != 1 || counts[model.ParticipantMaybe] != 1 || len(counts) != 2 {
			t.Fatalf("counts: %v", counts)
		}
		answers, messages := f.rec.take()
		if len(answers) != 0 {
			t.Fatalf("votes answered as Joins: %q", answers)
		}
		if len(messages) != 2 { // bob waits, then gets ann's place
			t.Fatalf("messages: %q", messages)
		}
		last := f.rec.pollUpdates[len(f.rec.pollUpdates)-1]
		if len(f.rec.pollUpdates) != 4 || events.PollVotes(last)[events.PollGoing] != 1 || events.PollVotes(last)[events.PollMaybe] != 1 {
			t.Fatalf("poll updates: %v", f.rec.pollUpdates)
		}
	})
}

// Cancelled events, banned members and suspended domains are refused; a long message is clipped.
func TestJoinsRefusedAndMessagesClipped(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		event := f.event(t, 0, model.JoinOpen)
		ann, bob, eve := f.actor(t, "ann", "a.example"), f.actor(t, "bob", "b.example"), f.actor(t, "eve", "bad.example")
		if err := st.DB().Create(&model.GroupBan{ID: model.NewID(), GroupID: f.group.ID, RemoteActorID: bob.ID, CreatedAt: time.Now()}).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateDomainBlock(ctx, model.DomainBlock{Domain: "bad.example", Severity: model.SeveritySuspend}); err != nil {
			t.Fatal(err)
		}
		for _, a := range []model.RemoteActor{bob, eve} {
			if r := f.join(t, event, a, 1); r.Outcome != events.Refused {
				t.Fatalf("%s: %+v", a.PreferredUsername, r)
			}
		}
		long := strings.Repeat("é", events.MaxJoinMessage)
		if _, err := f.service.ReceiveJoin(ctx, event.ID, ann, ann.IRI+"/joins/1", "<p>"+long+"</p>"); err != nil {
			t.Fatal(err)
		}
		p, err := st.ParticipantOf(ctx, event.ID, ann.ID)
		if err != nil || len(p.Message) > events.MaxJoinMessage || !strings.HasPrefix(p.Message, "éé") || p.State != model.ParticipantGoing {
			t.Fatalf("participant: %d bytes %v %v", len(p.Message), p.State, err)
		}
		if err := st.UpdateEvent(ctx, event.ID, store.EventChange{Status: store.To(model.EventCancelled)}); err != nil {
			t.Fatal(err)
		}
		carl := f.actor(t, "carl", "c.example")
		if r := f.join(t, event, carl, 1); r.Outcome != events.Refused || r.Reason != "event cancelled" {
			t.Fatalf("join of a cancelled event: %+v", r)
		}
		// ann's Accept, then the Reject of carl's Join of the cancelled event.
		if answers, _ := f.rec.take(); len(answers) != 2 || answers[1] != "reject carl "+carl.IRI+"/joins/1" {
			t.Fatalf("answers: %q", answers)
		}
	})
}

// Fifty Joins at once for ten places leave exactly ten going and forty waiting: places are counted
// in the event's row lock.
func TestParallelJoinsRespectTheCapacity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Postgres(t)
	f := newFixture(t, st)
	event := f.event(t, 10, model.JoinOpen)
	actors := make([]model.RemoteActor, 50)
	for i := range actors {
		actors[i] = f.actor(t, fmt.Sprintf("p%d", i), fmt.Sprintf("h%d.example", i))
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(actors))
	for _, a := range actors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.service.ReceiveJoin(ctx, event.ID, a, a.IRI+"/joins/1", "hello")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	counts := f.counts(t, event)
	if counts[model.ParticipantGoing] != 10 || counts[model.ParticipantWaiting] != 40 {
		t.Fatalf("counts: %v", counts)
	}
	answers, messages := f.rec.take()
	if len(answers) != 10 || len(messages) != 40 {
		t.Fatalf("%d answers, %d messages", len(answers), len(messages))
	}
}
