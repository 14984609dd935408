package workers_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kring-social/kring/app/drafts"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/test/testenv"
)

type countingPublisher struct{ published atomic.Int32 }

func (p *countingPublisher) Prepare(_ context.Context, content string) (any, error) {
	return content, nil
}

func (p *countingPublisher) PublishIn(context.Context, *store.Store, []string, *string, any, string) error {
	p.published.Add(1)
	return nil
}

// A scheduled post recorded in the transaction that scheduled it survives a broker that lost its
// data: the sweeper of the worker that starts next puts it back, and it goes out once, at its time,
// though two workers start together.
func TestScheduledDraftSurvivesALostBroker(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	opt := testenv.Redis(t)
	wireDispatcher(t, st, opt)
	ctx := context.Background()
	if _, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "acme", Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	group, err := testenv.Groups(t, st).CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "lobby", Name: "Lobby"})
	if err != nil {
		t.Fatal(err)
	}
	publisher := &countingPublisher{}
	service := drafts.NewService(st, publisher)
	draft, err := service.Create(ctx, nil, drafts.Input{GroupIDs: []string{group.ID}, Content: `{"Text":"soon"}`})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(2 * time.Second)
	if _, err := service.Send(ctx, draft.ID, nil, drafts.When{At: &at, Zone: "UTC"}); err != nil {
		t.Fatal(err)
	}
	var rows []model.QueuedTask
	if err := st.DB().Where("task_type = ?", tasks.TypePublishDraft).Find(&rows).Error; err != nil || len(rows) != 1 {
		t.Fatalf("%d publishing tasks recorded (err %v), want 1", len(rows), err)
	}
	if got := queueTotals(t, opt).Scheduled; got != 1 {
		t.Fatalf("broker holds %d scheduled tasks, want 1", got)
	}
	flush(t, opt) // Redis lost its data

	for range 2 {
		srv := newServer(t, st, opt, nil)
		srv.HandleScheduledDrafts(service)
		start(t, srv)
	}
	waitFor(t, "the scheduled post's task is done", func() bool { return rowGone(t, st, rows[0].ID) })
	if n := publisher.published.Load(); n != 1 {
		t.Errorf("published %d times, want once", n)
	}
	if got, err := st.DraftByID(ctx, draft.ID); err != nil || got.State != model.DraftPublished || got.PublishedAt.Before(at.Truncate(time.Second)) {
		t.Errorf("draft after its time: %+v (err %v), want published no earlier than %s", got, err, at)
	}
}
