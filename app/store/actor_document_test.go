package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/test/testenv"
)

// An actor's document as received is stored, and no read of actors on Kring's paths carries it:
// not the inbound activity's first read, which joins its actor, nor the lookups by id, IRI and key.
func TestActorReadsLeaveTheDocumentOut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Postgres(t)
	iri := "https://ok.example/users/ann"
	document := `{"type":"Person","summary":"` + strings.Repeat("a long bio ", 400) + `"}`
	ann, err := st.SaveRemoteActor(ctx, model.RemoteActor{IRI: iri, Host: "ok.example", ActorType: "Person", InboxURL: iri + "/inbox",
		PublicKeyID: iri + "#main-key", PublicKeyPEM: "PEM", RawDocument: document, FetchedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	var stored string
	if err := st.DB().Raw("SELECT raw_document FROM remote_actors WHERE id = ?", ann.ID).Row().Scan(&stored); err != nil || stored != document {
		t.Fatalf("the stored document: %d bytes, %v; want the %d received", len(stored), err, len(document))
	}
	row, _, err := st.RecordInboundActivity(ctx, model.InboundActivity{ActivityIRI: "https://ok.example/activities/1",
		ActorIRI: iri, ActivityType: "Create", RawBody: "{}"})
	if err != nil {
		t.Fatal(err)
	}

	recorder := testenv.RecordStatements(t, st)
	reads := map[string]func() (model.RemoteActor, error){
		"first read of an inbound activity": func() (model.RemoteActor, error) {
			in, err := st.InboundToProcessByID(ctx, row.ID)
			if in.Actor == nil {
				return model.RemoteActor{}, err
			}
			return *in.Actor, err
		},
		"by id":     func() (model.RemoteActor, error) { return st.RemoteActorByID(ctx, ann.ID) },
		"by IRI":    func() (model.RemoteActor, error) { return st.RemoteActorByIRI(ctx, iri) },
		"by key id": func() (model.RemoteActor, error) { return st.RemoteActorByKeyID(ctx, iri+"#main-key") },
	}
	for name, read := range reads {
		var actor model.RemoteActor
		for _, s := range recorder.During(func() { actor, err = read() }) {
			if strings.Contains(s.SQL, "raw_document") || !strings.Contains(s.SQL, "public_key_pem") {
				t.Errorf("%s: a statement that reads the document, or not the actor's columns: %s", name, s.SQL)
			}
		}
		if err != nil || actor.ID != ann.ID || actor.PublicKeyPEM != "PEM" || actor.RawDocument != "" {
			t.Errorf("%s: %+v, %v; want ann without her document", name, actor, err)
		}
	}
}
