package conversations_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// fixture is a group anyone may post in, a remote author, a staff member and the service under test
// with a fake federator.
type fixture struct {
	t       *testing.T
	store   *store.Store
	talk    *conversations.Service
	fed     *fakeFederator
	group   model.Group
	author  model.RemoteActor
	staffID *string
	posted  int
}

func newFixture(t *testing.T, st *store.Store) *fixture {
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
	author, err := st.SaveRemoteActor(ctx, model.RemoteActor{IRI: "https://remote.example/users/alice", Host: "remote.example",
		ActorType: "Person", PreferredUsername: "alice", InboxURL: "https://remote.example/users/alice/inbox", FetchedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	staff, err := st.CreateStaffAccount(ctx, model.StaffAccount{Email: "mod@acme.test", PasswordHash: "h"})
	if err != nil {
		t.Fatal(err)
	}
	fed := &fakeFederator{}
	return &fixture{t: t, store: st, talk: conversations.NewService(st, fed, conversations.DefaultLimits()), fed: fed,
		group: group, author: author, staffID: &staff.ID}
}

// post submits a public post with contentHTML from the author to the group and returns its result.
func (f *fixture) post(contentHTML string) conversations.Result {
	f.t.Helper()
	f.posted++
	id := fmt.Sprintf("%s/statuses/%d", f.author.IRI, f.posted)
	results, err := f.talk.Submit(context.Background(), f.author, conversations.Submission{ActivityIRI: id + "/activity",
		ActivityJSON: `{"id":"` + id + `/activity","type":"Create"}`, ObjectIRI: id, ObjectType: "Note", ContentHTML: contentHTML,
		Visibility: model.VisibilityPublic, Addressed: []model.Group{f.group}})
	if err != nil {
		f.t.Fatal(err)
	}
	if len(results) != 1 {
		f.t.Fatalf("%d results", len(results))
	}
	return results[0]
}

// actions lists the group's moderation log entries of one action, newest first.
func (f *fixture) actions(action model.LogAction) []model.ModerationAction {
	f.t.Helper()
	rows, err := f.store.ModerationLog(context.Background(), store.ModerationLogFilter{GroupID: f.group.ID})
	if err != nil {
		f.t.Fatal(err)
	}
	var out []model.ModerationAction
	for _, row := range rows {
		if row.Action == action {
			out = append(out, row)
		}
	}
	return out
}
