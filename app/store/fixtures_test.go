package store_test

import (
	"context"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// newLobby creates the organisation acme and its group lobby, which takes its followers' posts.
func newLobby(t *testing.T, st *store.Store) model.Group {
	t.Helper()
	ctx := context.Background()
	org, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "acme", Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	group, err := st.CreateGroup(ctx, model.Group{OrganisationID: org.ID, Slug: "lobby", Name: "Lobby", PostingPolicy: model.PostingFollowers})
	if err != nil {
		t.Fatal(err)
	}
	return group
}
