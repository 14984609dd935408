package testenv

import (
	"context"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
)

// AcceptInbound accepts an activity with id https://a.example/activities/n through st, as the inbox
// does (its task handed to st's dispatcher), and returns its stored row.
func AcceptInbound(t testing.TB, st *store.Store, n string) model.InboundActivity {
	t.Helper()
	ctx := context.Background()
	iri := "https://a.example/activities/" + n
	if created, err := st.AcceptInboundActivity(ctx, model.InboundActivity{ActivityIRI: iri, ActorIRI: "https://a.example/u/al",
		ActivityType: "Create", RawBody: `{}`}, tasks.NewProcessInboundTask); err != nil || !created {
		t.Fatalf("accept %s: created %t, %v", n, created, err)
	}
	row, err := st.InboundActivityByIRI(ctx, iri)
	if err != nil {
		t.Fatal(err)
	}
	return row
}
