package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// An inbound activity comes with its actor's stored copy and its group, whole, in one read; the
// copies serve the processing's first look at each, once, and only for the actor and group asked.
func TestInboundToProcessComesWithItsActorAndGroup(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		group := newLobby(t, st)
		iri := "https://ok.example/users/ann"
		fetched := time.Now().UTC().Truncate(time.Second)
		ann, err := st.SaveRemoteActor(ctx, model.RemoteActor{IRI: iri, Host: "ok.example", ActorType: "Person", InboxURL: iri + "/inbox",
			PreferredUsername: "ann", PublicKeyID: iri + "#main-key", PublicKeyPEM: "PEM", FetchedAt: fetched})
		if err != nil {
			t.Fatal(err)
		}
		record := func(n, actorIRI string, groupID *string) string {
			row, _, err := st.RecordInboundActivity(ctx, model.InboundActivity{ActivityIRI: "https://ok.example/activities/" + n,
				ActorIRI: actorIRI, ActivityType: "Create", GroupID: groupID, RawBody: "{}"})
			if err != nil {
				t.Fatal(err)
			}
			return row.ID
		}

		toGroup, err := st.InboundToProcessByID(ctx, record("1", iri, &group.ID))
		if err != nil {
			t.Fatal(err)
		}
		if toGroup.ActivityIRI != "https://ok.example/activities/1" || toGroup.ActorIRI != iri || toGroup.State != model.InboundPending {
			t.Errorf("the activity read with its rows: %+v", toGroup.InboundActivity)
		}
		if toGroup.Actor == nil || toGroup.Actor.ID != ann.ID || toGroup.Actor.PublicKeyPEM != "PEM" || !toGroup.Actor.FetchedAt.Equal(fetched) {
			t.Errorf("its actor: %+v, want %+v", toGroup.Actor, ann)
		}
		if toGroup.Group == nil || toGroup.Group.ID != group.ID || toGroup.Group.PostingPolicy != model.PostingFollowers || toGroup.Group.OrganisationSlug != "acme" {
			t.Errorf("its group: %+v", toGroup.Group)
		}

		shared, err := st.InboundToProcessByID(ctx, record("2", "https://new.example/users/bo", nil))
		if err != nil {
			t.Fatal(err)
		}
		if shared.Actor != nil || shared.Group != nil {
			t.Errorf("an unknown actor's activity to the shared inbox came with %+v and %+v", shared.Actor, shared.Group)
		}
		if _, err := st.InboundToProcessByID(ctx, model.NewID()); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a missing activity: %v, want ErrNotFound", err)
		}

		processing := store.WithPreread(ctx, toGroup)
		if _, ok := store.TakePrereadActor(processing, "https://ok.example/users/someone-else"); ok {
			t.Error("another actor was taken from the rows read ahead")
		}
		if _, ok := store.TakePrereadGroup(processing, "elsewhere"); ok {
			t.Error("another group was taken from the rows read ahead")
		}
		if actor, ok := store.TakePrereadActor(processing, iri); !ok || actor.ID != ann.ID {
			t.Errorf("the first look at the actor: %+v, %t", actor, ok)
		}
		if taken, ok := store.TakePrereadGroup(processing, "lobby"); !ok || taken.ID != group.ID {
			t.Errorf("the first look at the group: %+v, %t", taken, ok)
		}
		if _, ok := store.TakePrereadActor(processing, iri); ok {
			t.Error("the actor read ahead served a second look")
		}
		if _, ok := store.TakePrereadGroup(processing, "lobby"); ok {
			t.Error("the group read ahead served a second look")
		}
	})
}
