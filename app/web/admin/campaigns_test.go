package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// idleMod is a moderator of acme assigned no group: no campaigns or calendar of acme are hers.
const idleMod = "idlemod@acme.test"

// addStaff adds a staff member with the test password.
func (s *site) addStaff(email, org string, role model.Role) {
	s.t.Helper()
	orgs := organisations.NewServiceWith(s.store, organisations.Options{PasswordParams: organisations.TestPasswordParams()})
	if _, _, err := orgs.CreateStaff(context.Background(), organisations.NewStaff{Email: email, OrganisationSlug: org, Role: role, Password: password}); err != nil {
		s.t.Fatal(err)
	}
}

// campaignIn is the stored campaign of the organisation with the name.
func (s *site) campaignIn(orgSlug, name string) model.Campaign {
	s.t.Helper()
	var c model.Campaign
	err := s.store.DB().Joins("JOIN organisations ON organisations.id = campaigns.organisation_id").
		Where("organisations.slug = ? AND campaigns.name = ?", orgSlug, name).Take(&c).Error
	if err != nil {
		s.t.Fatalf("campaign %q of %s: %v", name, orgSlug, err)
	}
	return c
}

// createCampaign fills in the new campaign form as b and expects to be sent to its page.
func (b *browser) createCampaign(org, name, hashtag string) model.Campaign {
	b.t.Helper()
	status, _ := b.submit("/admin/organisations/"+org+"/campaigns/new", "/admin/organisations/"+org+"/campaigns",
		url.Values{"name": {name}, "hashtag": {hashtag}, "starts_on": {"2026-03-01"}, "ends_on": {"2026-03-31"}})
	if status != http.StatusSeeOther {
		b.t.Fatalf("create campaign %q: %d", name, status)
	}
	return b.site.campaignIn(org, name)
}

const acmeCampaigns = "/admin/organisations/acme/campaigns"

// Organisation admins and whoever may write in one of its groups run its campaigns; a moderator
// assigned no group, and another organisation's admin, are refused.
func TestCampaignsThroughAdmin(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		s.addStaff(idleMod, "acme", model.RoleModerator)
		admin, mod := s.loggedIn(acmeAdmin), s.loggedIn(lobbyMod)

		spring := admin.createCampaign("acme", "Spring drive", "Spring2026")
		if spring.Hashtag != "Spring2026" || spring.StartsOn.Format("2006-01-02") != "2026-03-01" {
			t.Errorf("stored %+v", spring)
		}
		byMod := mod.createCampaign("acme", "Lobby open day", "")
		if status, page := mod.get(acmeCampaigns); status != http.StatusOK || !strings.Contains(page, "Spring drive") ||
			!strings.Contains(page, "Lobby open day") || !strings.Contains(page, "#Spring2026") {
			t.Errorf("campaigns list for lobby's moderator: %d", status)
		}
		if status, page := admin.get(acmeCampaigns + "/" + spring.ID); status != http.StatusOK || !strings.Contains(page, "See it on the calendar") ||
			!strings.Contains(page, "/archive") {
			t.Errorf("campaign page: %d", status)
		}

		refusedCampaign := func(b *browser, who string) {
			t.Helper()
			for _, path := range []string{acmeCampaigns, acmeCampaigns + "/new", acmeCampaigns + "/" + spring.ID, "/admin/organisations/acme/calendar"} {
				if status, _ := b.get(path); status != http.StatusForbidden {
					t.Errorf("GET %s as %s: %d, want 403", path, who, status)
				}
			}
			for _, path := range []string{acmeCampaigns, acmeCampaigns + "/" + spring.ID, acmeCampaigns + "/" + spring.ID + "/archive", acmeCampaigns + "/" + spring.ID + "/delete"} {
				if status, _ := b.submit("/admin", path, url.Values{"name": {"Taken over"}}); status != http.StatusForbidden {
					t.Errorf("POST %s as %s: %d, want 403", path, who, status)
				}
			}
		}
		refusedCampaign(s.loggedIn(idleMod), idleMod)
		refusedCampaign(s.loggedIn(otherAdmin), otherAdmin)
		if status, _ := admin.get("/admin/organisations/other/campaigns/" + spring.ID); status != http.StatusForbidden {
			t.Errorf("acme's admin on other's campaigns: %d", status)
		}
		if status, _ := s.loggedIn(instanceAdmin).get("/admin/organisations/other/campaigns/" + spring.ID); status != http.StatusNotFound {
			t.Errorf("acme's campaign under other's path: %d, want 404", status)
		}

		for name, form := range map[string]url.Values{
			"hashtag with a space": {"name": {"A"}, "hashtag": {"spring time"}},
			"hashtag with #":       {"name": {"A"}, "hashtag": {"#spring"}},
			"hashtag too long":     {"name": {"A"}, "hashtag": {strings.Repeat("x", 101)}},
			"hashtag of digits":    {"name": {"A"}, "hashtag": {"2026"}},
			"no name":              {"name": {""}},
			"name twice":           {"name": {"A", "B"}},
			"hashtag twice":        {"name": {"A"}, "hashtag": {"a", "b"}},
			"date not a date":      {"name": {"A"}, "starts_on": {"yesterday"}},
			"date out of range":    {"name": {"A"}, "starts_on": {"0001-01-01"}},
			"end before start":     {"name": {"A"}, "starts_on": {"2026-03-02"}, "ends_on": {"2026-03-01"}},
		} {
			if status, page := admin.submit(acmeCampaigns+"/new", acmeCampaigns, form); status != http.StatusBadRequest || !strings.Contains(page, `role="alert"`) {
				t.Errorf("%s: %d, want 400 with the form again", name, status)
			}
		}
		if status, _ := admin.submit(acmeCampaigns+"/new", acmeCampaigns, url.Values{"name": {"spring DRIVE"}}); status != http.StatusConflict {
			t.Errorf("a name taken in another case: %d, want 409", status)
		}
		if status, _ := admin.submit(acmeCampaigns+"/"+byMod.ID+"/edit", acmeCampaigns+"/"+byMod.ID, url.Values{"name": {"Spring Drive"}}); status != http.StatusConflict {
			t.Errorf("renamed onto a taken name: %d, want 409", status)
		}
		if status, _ := admin.submit(acmeCampaigns+"/"+byMod.ID+"/edit", acmeCampaigns+"/"+byMod.ID,
			url.Values{"name": {"Lobby days"}, "hashtag": {"lobby_days"}}); status != http.StatusSeeOther {
			t.Errorf("edit: %d", status)
		}
		if got := s.campaignIn("acme", "Lobby days"); got.Hashtag != "lobby_days" || got.StartsOn != nil {
			t.Errorf("edited: %+v", got)
		}
		for _, step := range []struct {
			path string
			want int
		}{{"/archive", http.StatusSeeOther}, {"/archive", http.StatusConflict}, {"/unarchive", http.StatusSeeOther}, {"/delete", http.StatusSeeOther}, {"/delete", http.StatusNotFound}} {
			if status, _ := mod.submit("/admin", acmeCampaigns+"/"+byMod.ID+step.path, nil); status != step.want {
				t.Errorf("%s: %d, want %d", step.path, status, step.want)
			}
		}
		var logged []string
		if err := st.DB().Model(&model.ModerationAction{}).Where("target_kind = ?", model.TargetCampaign).Order("created_at, id").
			Pluck("action", &logged).Error; err != nil {
			t.Fatal(err)
		}
		want := "campaign.create campaign.create campaign.edit campaign.archive campaign.unarchive campaign.delete"
		if strings.Join(logged, " ") != want {
			t.Errorf("logged %v, want %s", logged, want)
		}
	})
}

// The navigation's Calendar and Campaigns links lead to the reader's first organisation.
func TestOutreachLinksLeadToTheReadersOrganisation(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		s.addStaff(idleMod, "acme", model.RoleModerator)
		for email, want := range map[string]string{lobbyMod: "/admin/organisations/acme/calendar", otherAdmin: "/admin/organisations/other/calendar"} {
			resp, err := s.loggedIn(email).client.Get(s.server.URL + "/admin/calendar")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
				t.Errorf("%s: %d to %s, want %s", email, resp.StatusCode, resp.Header.Get("Location"), want)
			}
		}
		if status, _ := s.loggedIn(idleMod).get("/admin/campaigns"); status != http.StatusForbidden {
			t.Errorf("a moderator of no group: %d, want 403", status)
		}
		if _, page := s.loggedIn(lobbyMod).get("/admin"); !strings.Contains(page, `href="/admin/calendar"`) || !strings.Contains(page, `href="/admin/campaigns"`) {
			t.Error("the navigation does not link the calendar and campaigns")
		}
	})
}

var campaignOption = regexp.MustCompile(`<option value="([^"]+)"[^>]*>([^<]+)</option>`)

// A post written in a campaign carries its hashtag once; posts and events refuse a campaign of
// another organisation, an archived one, and campaign_id given twice.
func TestPostsAndEventsInCampaignsThroughAdmin(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		admin := s.loggedIn(acmeAdmin)
		spring := admin.createCampaign("acme", "Spring drive", "Spring2026")
		over := admin.createCampaign("acme", "Over", "over")
		if status, _ := admin.submit("/admin", acmeCampaigns+"/"+over.ID+"/archive", nil); status != http.StatusSeeOther {
			t.Fatalf("archive: %d", status)
		}
		theirs := s.loggedIn(otherAdmin).createCampaign("other", "Theirs", "theirs")

		_, form := admin.get("/admin/groups/lobby/compose")
		offered := map[string]bool{}
		for _, m := range campaignOption.FindAllStringSubmatch(form, -1) {
			offered[m[1]] = true
		}
		if !offered[spring.ID] || offered[over.ID] || offered[theirs.ID] {
			t.Errorf("the Write form offers %v: want the open campaign of acme only", offered)
		}
		status, _ := admin.submit("/admin/groups/lobby/compose", "/admin/groups/lobby/compose",
			url.Values{"text": {"Doors open at nine."}, "campaign_id": {spring.ID}, "also": {s.desk.ID}})
		if status != http.StatusSeeOther {
			t.Fatalf("publish in a campaign: %d", status)
		}
		var posts []model.Post
		if err := st.DB().Where("campaign_id = ?", spring.ID).Find(&posts).Error; err != nil || len(posts) != 2 {
			t.Fatalf("%d posts in the campaign (%v), want 2", len(posts), err)
		}
		for _, p := range posts {
			if p.SourceText != "Doors open at nine.\n\n#Spring2026" || !strings.Contains(p.ContentHTML, `class="mention hashtag" rel="tag">#<span>Spring2026</span></a>`) {
				t.Errorf("published %q as %q", p.SourceText, p.ContentHTML)
			}
		}
		for name, ids := range map[string][]string{"another organisation's": {theirs.ID}, "archived": {over.ID}, "twice": {spring.ID, spring.ID}} {
			status, _ := admin.submit("/admin/groups/lobby/compose", "/admin/groups/lobby/compose", url.Values{"text": {"x"}, "campaign_id": ids})
			if status != http.StatusBadRequest {
				t.Errorf("post in %s campaign: %d, want 400", name, status)
			}
		}

		event := url.Values{"title": {"Picnic"}, "start_date": {"2030-03-14"}, "start_time": {"18:00"}, "time_zone": {"Europe/Amsterdam"},
			"place_name": {"Park"}, "capacity": {"0"}, "join_mode": {"open"}}
		for name, ids := range map[string][]string{"another organisation's": {theirs.ID}, "archived": {over.ID}, "twice": {spring.ID, spring.ID}} {
			bad := url.Values{"campaign_id": ids}
			for k, v := range event {
				bad[k] = v
			}
			if status, _ := admin.submit("/admin/groups/lobby/events/new", "/admin/groups/lobby/events", bad); status != http.StatusBadRequest {
				t.Errorf("event in %s campaign: %d, want 400", name, status)
			}
		}
		event.Set("campaign_id", spring.ID)
		if status, _ := admin.submit("/admin/groups/lobby/events/new", "/admin/groups/lobby/events", event); status != http.StatusSeeOther {
			t.Fatalf("event in a campaign: %d", status)
		}
		var stored model.Event
		if err := st.DB().Where("campaign_id = ?", spring.ID).Take(&stored).Error; err != nil {
			t.Fatal(err)
		}
		if _, page := admin.get("/admin/groups/lobby/events/" + stored.ID + "/edit"); !strings.Contains(page, `value="`+spring.ID+`" selected`) {
			t.Error("the event form does not show the event's campaign chosen")
		}
		var count int64
		if err := st.DB().Model(&model.Event{}).Count(&count).Error; err != nil || count != 1 {
			t.Errorf("%d events stored, want 1", count)
		}
	})
}
