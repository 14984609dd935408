package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/events"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// TestEventParticipantsThroughAdmin: on an approval event the moderator approves one request (she
// goes), refuses another, removes someone who was going (her place goes to the one waiting), and
// downloads the participants as CSV, a remote name that looks like a formula made harmless; staff
// of another group can do none of it.
func TestEventParticipantsThroughAdmin(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		ctx := t.Context()
		event, err := s.eventService.Create(ctx, s.lobby.ID, nil, events.Draft{Title: "Walk", Start: time.Now().Add(72 * time.Hour),
			TimeZone: "Europe/Amsterdam", PlaceName: "Station", Capacity: 2, JoinMode: model.JoinApproval})
		if err != nil {
			t.Fatal(err)
		}
		add := func(state model.ParticipantState) model.RemoteActor {
			t.Helper()
			actor := s.member(s.lobby)
			if _, err := st.SaveParticipant(ctx, model.EventParticipant{EventID: event.ID, RemoteActorID: actor.ID, State: state,
				Via: model.ViaJoin, JoinActivityIRI: actor.IRI + "/join/1"}); err != nil {
				t.Fatal(err)
			}
			return actor
		}
		going := add(model.ParticipantGoing)
		pending, refused := add(model.ParticipantPending), add(model.ParticipantPending)
		waiting := add(model.ParticipantWaiting)
		if err := st.DB().Model(&model.RemoteActor{}).Where("id = ?", refused.ID).Update("display_name", "=HYPERLINK(\"x\")").Error; err != nil {
			t.Fatal(err)
		}
		page := "/admin/groups/lobby/events/" + event.ID
		b := s.loggedIn(lobbyMod)
		desk := s.loggedIn(deskMod)
		if got, _ := desk.submit("/admin", page+"/participants/approve", url.Values{"actor": {pending.IRI}}); got != http.StatusForbidden && got != http.StatusNotFound {
			t.Errorf("another group's moderator approved: %d", got)
		}
		if got, _ := desk.get(page + "/participants.csv"); got != http.StatusForbidden && got != http.StatusNotFound {
			t.Errorf("another group's moderator exported: %d", got)
		}

		if status, body := b.submit(page, page+"/participants/approve", url.Values{"actor": {pending.IRI}}); status != http.StatusSeeOther {
			t.Fatalf("approve: %d %s", status, body)
		}
		if status, _ := b.submit(page, page+"/participants/reject", url.Values{"actor": {refused.IRI}}); status != http.StatusSeeOther {
			t.Fatalf("refuse: %d", status)
		}
		if status, _ := b.submit(page, page+"/participants/remove", url.Values{"actor": {going.IRI}}); status != http.StatusSeeOther {
			t.Fatalf("remove: %d", status)
		}
		for actor, want := range map[model.RemoteActor]model.ParticipantState{pending: model.ParticipantGoing, refused: model.ParticipantRejected,
			going: model.ParticipantRejected, waiting: model.ParticipantGoing} {
			if p, err := st.ParticipantOf(ctx, event.ID, actor.ID); err != nil || p.State != want {
				t.Errorf("%s: %s %v, want %s", actor.PreferredUsername, p.State, err, want)
			}
		}
		if status, _ := b.submit(page, page+"/participants/reject", url.Values{"actor": {pending.IRI}}); status != http.StatusBadRequest {
			t.Errorf("refusing someone who is going: %d, want 400", status)
		}

		status, csvText := b.get(page + "/participants.csv")
		if status != http.StatusOK || !strings.HasPrefix(csvText, "account,name,server,answer,how,since,message,actor\n") ||
			!strings.Contains(csvText, "@"+waiting.PreferredUsername+"@social.example") || !strings.Contains(csvText, `"'=HYPERLINK(""x"")"`) {
			t.Errorf("CSV %d:\n%s", status, csvText)
		}
		for _, action := range []model.LogAction{model.ActionEventApprove, model.ActionEventReject, model.ActionEventRemove} {
			if logged := s.logged(s.lobby, action); len(logged) != 1 || *logged[0].StaffAccountID != s.staffID(lobbyMod) {
				t.Errorf("%s logged %+v", action, logged)
			}
		}
	})
}
