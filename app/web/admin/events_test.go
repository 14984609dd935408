package admin_test

import (
	"bytes"
	"image/jpeg"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// TestEventsThroughAdmin: the group's moderator publishes an event from the form (its wall-clock
// time read in the chosen zone), sees it among the upcoming events and on its page, edits it (the
// form shows the times as entered), is refused with the reason for a bad zone or an end before the
// start, gives it a picture with alt text, cancels it and deletes it; each step is logged. Staff who do not moderate the group reach
// none of it, nor another group's event through their own group's path.
func TestEventsThroughAdmin(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		b := s.loggedIn(lobbyMod)
		const list, form = "/admin/groups/lobby/events", "/admin/groups/lobby/events/new"
		fields := url.Values{"title": {"Repair café"}, "description": {"Bring what is broken."}, "start_date": {"2030-03-14"},
			"start_time": {"18:00"}, "end_time": {"21:00"}, "time_zone": {"Europe/Amsterdam"}, "place_name": {"Library"},
			"place_address": {"Main Street 1"}, "capacity": {"25"}, "join_mode": {"approval"}, "reminders": {"24h, 30m"}}

		if status, shown := b.get(form); status != http.StatusOK || !strings.Contains(shown, "Publish the event") || !strings.Contains(shown, `value="24h, 1h"`) {
			t.Fatalf("new event form %d: %s", status, shown)
		}
		for name, change := range map[string]url.Values{"bad zone": {"time_zone": {"Moon/Base"}}, "end first": {"end_time": {"17:00"}},
			"no date": {"start_date": {""}}, "bad reminder": {"reminders": {"tomorrow"}}, "reminder too early": {"reminders": {"2000h"}}, "reminder in seconds": {"reminders": {"90s"}}} {
			bad := url.Values{}
			for k, v := range fields {
				bad[k] = v
			}
			for k, v := range change {
				bad[k] = v
			}
			if status, body := b.submit(form, list, bad); status != http.StatusBadRequest || !strings.Contains(body, `role="alert"`) {
				t.Errorf("%s: %d", name, status)
			}
		}
		if status, _ := b.submit(form, list, fields); status != http.StatusSeeOther {
			t.Fatalf("publish: %d", status)
		}
		var event model.Event
		if err := st.DB().Where("group_id = ?", s.lobby.ID).Take(&event).Error; err != nil {
			t.Fatal(err)
		}
		if event.StartsAt.UTC().Format("2006-01-02 15:04") != "2030-03-14 17:00" || event.EndsAt == nil || event.Capacity != 25 || event.JoinMode != model.JoinApproval {
			t.Fatalf("stored event %+v", event)
		}
		page := list + "/" + event.ID
		status, shown := b.get(list)
		if status != http.StatusOK || !strings.Contains(shown, "Repair café") || !strings.Contains(shown, "Thursday 14 March 2030, 18:00–21:00 CET (Europe/Amsterdam)") {
			t.Fatalf("upcoming events %d: %s", status, shown)
		}
		if status, shown = b.get(page); status != http.StatusOK || !strings.Contains(shown, "0 going of 25") || !strings.Contains(shown, "Nobody has answered yet") {
			t.Fatalf("event page %d: %s", status, shown)
		}
		if reminders, err := st.EventReminders(t.Context(), event.ID); err != nil || len(reminders) != 2 || reminders[0].LeadMinutes != 1440 || reminders[1].LeadMinutes != 30 {
			t.Fatalf("reminders %+v %v, want a day and half an hour before", reminders, err)
		}
		if status, shown = b.get(page + "/edit"); status != http.StatusOK || !strings.Contains(shown, `value="18:00"`) || !strings.Contains(shown, `value="2030-03-14"`) ||
			!strings.Contains(shown, `value="24h, 30m"`) {
			t.Fatalf("edit form %d: %s", status, shown)
		}
		fields.Set("title", "Repair café (bigger room)")
		if status, _ := b.submit(page+"/edit", page, fields); status != http.StatusSeeOther {
			t.Fatalf("save: %d", status)
		}
		if stored, err := st.EventByID(t.Context(), event.ID); err != nil || stored.Title != "Repair café (bigger room)" || stored.Sequence != 1 {
			t.Fatalf("after the edit: %+v %v", stored, err)
		}

		// A picture with its alt text, re-encoded at the link preview's size; group pictures take no
		// other kinds.
		if status, body := b.sendPictureTo(page+"/image", map[string]string{"alt": "Volunteers fixing a bicycle"}, photo(t, 900, 900)); status != http.StatusSeeOther {
			t.Fatalf("event picture: %d %s", status, body)
		}
		withPicture, err := st.EventByID(t.Context(), event.ID)
		if err != nil || !groups.ValidMediaName(withPicture.ImagePath) || withPicture.ImageAlt != "Volunteers fixing a bicycle" || withPicture.Sequence != 2 {
			t.Fatalf("event with its picture: %+v %v", withPicture, err)
		}
		served, err := os.ReadFile(filepath.Join(s.media, withPicture.ImagePath))
		if config, decodeErr := jpeg.DecodeConfig(bytes.NewReader(served)); err != nil || decodeErr != nil || config.Width != 1200 || config.Height != 630 {
			t.Errorf("stored picture %+v %v %v", config, err, decodeErr)
		}
		if status, _ := s.loggedIn(acmeAdmin).sendPicture("lobby", "event", photo(t, 900, 900)); status != http.StatusBadRequest {
			t.Errorf("an event-sized picture as the group's: %d, want 400", status)
		}

		desk := s.loggedIn(deskMod)
		for _, path := range []string{list, page, page + "/edit"} {
			if got, _ := desk.get(path); got != http.StatusForbidden && got != http.StatusNotFound {
				t.Errorf("another group's moderator read %s: %d", path, got)
			}
		}
		if got, _ := desk.sendPictureTo(page+"/image", map[string]string{"alt": "x"}, photo(t, 900, 900)); got != http.StatusForbidden && got != http.StatusNotFound {
			t.Errorf("another group's moderator changed the picture: %d", got)
		}
		for _, path := range []string{list, page, page + "/cancel", page + "/delete", page + "/image/remove"} {
			if got, _ := desk.submit("/admin", path, fields); got != http.StatusForbidden && got != http.StatusNotFound {
				t.Errorf("another group's moderator posted to %s: %d", path, got)
			}
		}
		deskMine := s.loggedIn(deskMod)
		if got, _ := deskMine.get("/admin/groups/desk/events/" + event.ID); got != http.StatusNotFound {
			t.Errorf("lobby's event through desk's path: %d, want 404", got)
		}

		if status, _ := b.submit(page, page+"/cancel", url.Values{"reason": {"The library is closed."}}); status != http.StatusSeeOther {
			t.Fatalf("cancel: %d", status)
		}
		if status, shown = b.get(list); !strings.Contains(shown, "cancelled") {
			t.Errorf("list after cancelling %d: %s", status, shown)
		}
		if status, _ := b.submit(page, page+"/delete", nil); status != http.StatusSeeOther {
			t.Fatalf("delete: %d", status)
		}
		if got, _ := b.get(page); got != http.StatusNotFound {
			t.Errorf("deleted event's page: %d", got)
		}
		for action, n := range map[model.LogAction]int{model.ActionEventCreate: 1, model.ActionEventEdit: 2, model.ActionEventCancel: 1, model.ActionEventDelete: 1} {
			if logged := s.logged(s.lobby, action); len(logged) != n || *logged[0].StaffAccountID != s.staffID(lobbyMod) {
				t.Errorf("%s logged %+v", action, logged)
			}
		}
	})
}
