package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

func TestOrganisationPage(t *testing.T) {
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		s := newPublicSite(t, st, 0)
		ctx := context.Background()
		org, err := st.OrganisationBySlug(ctx, "acme")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateGroup(ctx, model.Group{OrganisationID: org.ID, Slug: "annex", Name: "Annex", Discoverable: true,
			PostingPolicy: model.PostingAnyone}); err != nil {
			t.Fatal(err)
		}
		other, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "umbrella", Name: "Umbrella"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateGroup(ctx, model.Group{OrganisationID: other.ID, Slug: "theirs", Name: "Theirs", Discoverable: true,
			PostingPolicy: model.PostingAnyone}); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		for i, state := range []model.FollowState{model.FollowAccepted, model.FollowPending} {
			actor := s.alice
			if i == 1 {
				actor = model.RemoteActor{ID: model.NewID(), IRI: "https://m.example/users/bob", Host: "m.example", ActorType: "Person",
					PreferredUsername: "bob", InboxURL: "https://m.example/inbox", FetchedAt: now, CreatedAt: now, UpdatedAt: now}
				if err := st.DB().Create(&actor).Error; err != nil {
					t.Fatal(err)
				}
			}
			follow := model.Follow{ID: model.NewID(), GroupID: s.lobby.ID, RemoteActorID: actor.ID, State: state,
				FollowActivityIRI: actor.IRI + "#follow", CreatedAt: now, UpdatedAt: now}
			if err := st.DB().Create(&follow).Error; err != nil {
				t.Fatal(err)
			}
		}

		resp, page := s.get("/orgs/acme")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		for _, tc := range []struct {
			what, text string
			present    bool
		}{
			{"the organisation's name", "<h1>Acme</h1>", true},
			{"a discoverable group linked", `<h2><a href="/groups/lobby">Lobby</a></h2>`, true},
			{"its handle", `<p class="handle">@lobby@`, true},
			{"its summary", "<p>About lobby</p>", true},
			{"its accepted members counted", `<p class="members">1 member</p>`, true},
			{"another discoverable group", `<a href="/groups/annex">Annex</a>`, true},
			{"no non-discoverable group", "/groups/hidden", false},
			{"no archived group", "/groups/gone", false},
			{"no other organisation's group", "/groups/theirs", false},
		} {
			if strings.Contains(page, tc.text) != tc.present {
				t.Errorf("%s: page contains %q is %v, want %v", tc.what, tc.text, !tc.present, tc.present)
			}
		}
		if annex, lobby := strings.Index(page, "Annex"), strings.Index(page, "Lobby"); annex > lobby {
			t.Errorf("groups not by name")
		}
		if again, _ := s.get("/orgs/acme", "If-None-Match", resp.Header.Get("ETag")); again.StatusCode != http.StatusNotModified {
			t.Errorf("with its ETag: status %d, want 304", again.StatusCode)
		}
		if resp, _ := s.get("/orgs/nobody"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown organisation: status %d, want 404", resp.StatusCode)
		}
		if resp, _ := s.get("/orgs/%ff%00"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("a slug no organisation can have: status %d, want 404", resp.StatusCode)
		}
		if _, group := s.get("/groups/hidden"); !strings.Contains(group, `<a href="/orgs/acme">More groups of Acme</a>`) {
			t.Errorf("group page does not link its organisation's page")
		}
	})
}
