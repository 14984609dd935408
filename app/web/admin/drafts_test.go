package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// draftOf finds the draft whose content contains text.
func (s *site) draftWith(text string) model.PostDraft {
	s.t.Helper()
	var draft model.PostDraft
	if err := s.store.DB().Where("content LIKE ?", "%"+text+"%").Take(&draft).Error; err != nil {
		s.t.Fatalf("find the draft saying %q: %v", text, err)
	}
	return draft
}

func (s *site) groupPostsSaying(text string) int64 {
	s.t.Helper()
	var n int64
	if err := s.store.DB().Model(&model.Post{}).Where("author_kind = ? AND content_html LIKE ?", model.AuthorGroup, "%"+text+"%").Count(&n).Error; err != nil {
		s.t.Fatal(err)
	}
	return n
}

// TestReviewBeforePublishing: an organisation's admin requires review; the lobby's moderator's
// "publish" becomes a draft waiting for review, which she cannot approve herself; the desk's
// moderator and the other organisation's admin can neither see nor approve it; the organisation's
// admin comments, asks for changes, and approves the edited revision, which then goes out once.
func TestReviewBeforePublishing(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		mod, admin := s.loggedIn(lobbyMod), s.loggedIn(acmeAdmin)
		if status, _ := mod.submit("/admin/drafts", "/admin/drafts/review-setting", url.Values{"org": {"acme"}, "require": {"on"}}); status != http.StatusForbidden {
			t.Fatalf("a moderator turning review on: %d, want 403", status)
		}
		if status, _ := admin.submit("/admin/drafts", "/admin/drafts/review-setting", url.Values{"org": {"acme"}, "require": {"on"}}); status != http.StatusSeeOther {
			t.Fatalf("the admin turning review on: %d", status)
		}
		const compose = "/admin/groups/lobby/compose"
		if _, form := mod.get(compose); !strings.Contains(form, "Submit for review") || strings.Contains(form, "Publish now") {
			t.Fatalf("the compose form in an organisation requiring review offers: %s", form)
		}
		status, _ := mod.submit(compose, compose, url.Values{"text": {"Open day on Saturday"}, "action": {"publish"}, "zone": {"Europe/Amsterdam"}})
		if status != http.StatusSeeOther {
			t.Fatalf("submit: %d", status)
		}
		draft := s.draftWith("Open day on Saturday")
		if draft.State != model.DraftInReview || s.groupPostsSaying("Open day") != 0 {
			t.Fatalf("submitted draft is %s; posts published: %d", draft.State, s.groupPostsSaying("Open day"))
		}
		page := "/admin/drafts/" + draft.ID
		if _, shown := mod.get(page); strings.Contains(shown, "/approve") {
			t.Errorf("the author is offered to approve her own draft")
		}
		if status, _ := mod.submit(page, page+"/approve", url.Values{}); status != http.StatusForbidden {
			t.Errorf("the author approving her own draft: %d, want 403", status)
		}
		for _, outsider := range []string{deskMod, otherAdmin} {
			b := s.loggedIn(outsider)
			if status, _ := b.get(page); status != http.StatusForbidden && status != http.StatusNotFound {
				t.Errorf("%s reading the lobby's draft: %d", outsider, status)
			}
			for _, action := range []string{"/approve", "/comment", "/request-changes", "/cancel", "/delete", "/edit"} {
				if status, _ := b.submit("/admin/drafts", page+action, url.Values{"comment": {"x"}, "text": {"hijacked"}, "zone": {"UTC"}}); status < 400 || status >= 500 {
					t.Errorf("%s: %s on the lobby's draft: %d, want a refusal", outsider, action, status)
				}
			}
			if _, list := b.get("/admin/drafts"); strings.Contains(list, draft.ID) {
				t.Errorf("%s is shown the lobby's draft in the list", outsider)
			}
		}
		if status, _ := admin.submit(page, page+"/comment", url.Values{"comment": {"Which Saturday?"}}); status != http.StatusSeeOther {
			t.Fatalf("comment: %d", status)
		}
		if status, _ := admin.submit(page, page+"/request-changes", url.Values{"comment": {"Add the date."}}); status != http.StatusSeeOther {
			t.Fatalf("request changes: %d", status)
		}
		edit := page + "/edit"
		if _, form := mod.get(edit); !strings.Contains(form, "Open day on Saturday") {
			t.Fatalf("the draft's form does not show its text: %s", form)
		}
		status, _ = mod.submit(edit, edit, url.Values{"text": {"Open day on Saturday 12 December"}, "action": {"publish"}, "zone": {"Europe/Amsterdam"}})
		if status != http.StatusSeeOther || s.groupPostsSaying("Open day") != 0 {
			t.Fatalf("resubmit: %d; published %d", status, s.groupPostsSaying("Open day"))
		}
		if _, list := admin.get("/admin/drafts"); !strings.Contains(list, "Waiting for your review") || !strings.Contains(list, draft.ID) {
			t.Fatalf("the admin's drafts list: %s", list)
		}
		if status, _ := admin.submit(page, page+"/approve", url.Values{"comment": {"Good to go."}}); status != http.StatusSeeOther {
			t.Fatalf("approve: %d", status)
		}
		if got := s.groupPostsSaying("Open day on Saturday 12 December"); got != 1 {
			t.Fatalf("after approval %d posts went out, want 1", got)
		}
		if status, _ := admin.submit(page, page+"/approve", url.Values{}); status != http.StatusConflict {
			t.Errorf("approving a published draft: %d, want 409", status)
		}
		_, shown := mod.get(page)
		for _, want := range []string{"admin@acme.test</strong> approved", "Good to go.", "asked for changes", "Which Saturday?", "published it"} {
			if !strings.Contains(shown, want) {
				t.Errorf("the draft's log lacks %q", want)
			}
		}
	})
}

// TestScheduleFromTheComposeForm: without review, "Schedule" keeps the post for its time in the
// chosen zone and publishes nothing yet; a time in the past, an unknown zone or a malformed time are
// refused with 400 and keep nothing; "Save draft" keeps it going nowhere; taking a scheduled post back
// makes it a draft again.
func TestScheduleFromTheComposeForm(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.Postgres(t))
	mod := s.loggedIn(lobbyMod)
	const compose = "/admin/groups/lobby/compose"
	amsterdam, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	tomorrow := time.Now().In(amsterdam).Add(24 * time.Hour).Truncate(time.Minute)
	for name, form := range map[string]url.Values{
		"past":           {"text": {"refused"}, "action": {"schedule"}, "zone": {"Europe/Amsterdam"}, "publish_at": {"2020-01-01T10:00"}},
		"unknown zone":   {"text": {"refused"}, "action": {"schedule"}, "zone": {"Mars/Olympus"}, "publish_at": {tomorrow.Format("2006-01-02T15:04")}},
		"malformed time": {"text": {"refused"}, "action": {"schedule"}, "zone": {"UTC"}, "publish_at": {"tomorrow at ten"}},
		"no time":        {"text": {"refused"}, "action": {"schedule"}, "zone": {"UTC"}},
	} {
		if status, _ := mod.submit(compose, compose, form); status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, status)
		}
	}
	var kept int64
	if err := s.store.DB().Model(&model.PostDraft{}).Count(&kept).Error; err != nil || kept != 0 {
		t.Fatalf("refused forms kept %d drafts (%v)", kept, err)
	}
	status, _ := mod.submit(compose, compose, url.Values{"text": {"Market tomorrow"}, "action": {"schedule"}, "zone": {"Europe/Amsterdam"},
		"publish_at": {tomorrow.Format("2006-01-02T15:04")}, "also": {s.desk.ID}})
	if status != http.StatusForbidden {
		t.Fatalf("scheduling in a group she does not moderate: %d, want 403", status)
	}
	status, _ = mod.submit(compose, compose, url.Values{"text": {"Market tomorrow"}, "action": {"schedule"}, "zone": {"Europe/Amsterdam"},
		"publish_at": {tomorrow.Format("2006-01-02T15:04")}})
	if status != http.StatusSeeOther {
		t.Fatalf("schedule: %d", status)
	}
	draft := s.draftWith("Market tomorrow")
	if draft.State != model.DraftScheduled || draft.PublishAt == nil || !draft.PublishAt.Equal(tomorrow) || draft.TimeZone != "Europe/Amsterdam" {
		t.Fatalf("scheduled draft %+v, want at %s", draft, tomorrow)
	}
	if s.groupPostsSaying("Market") != 0 {
		t.Fatal("a scheduled post went out at once")
	}
	page := "/admin/drafts/" + draft.ID
	if _, shown := mod.get(page); !strings.Contains(shown, tomorrow.Format("15:04 MST")) || !strings.Contains(shown, "(Europe/Amsterdam)") {
		t.Errorf("the draft's page does not show its time in its zone: %s", shown)
	}
	if _, form := mod.get(page + "/edit"); !strings.Contains(form, `value="`+tomorrow.Format("2006-01-02T15:04")+`"`) {
		t.Errorf("the draft's form does not show its local time")
	}
	if status, _ := mod.submit(page, page+"/cancel", nil); status != http.StatusSeeOther {
		t.Fatalf("take back: %d", status)
	}
	if got := s.draftWith("Market tomorrow"); got.State != model.DraftWriting {
		t.Fatalf("taken back draft is %s", got.State)
	}
	if status, _ := mod.submit(compose, compose, url.Values{"text": {"Just an idea"}, "action": {"draft"}, "zone": {"UTC"}}); status != http.StatusSeeOther {
		t.Fatalf("save draft: %d", status)
	}
	if got := s.draftWith("Just an idea"); got.State != model.DraftWriting || s.groupPostsSaying("idea") != 0 {
		t.Fatalf("saved draft %+v", got)
	}
	if status, _ := mod.submit(page, page+"/delete", nil); status != http.StatusSeeOther {
		t.Fatalf("delete: %d", status)
	}
}

// TestReviewersAreToldByEmail: a draft submitted for review e-mails the staff who may approve it
// (the organisation's owner and admin, who may write in the lobby), with a link to it; its author
// and the desk's moderator are told nothing.
func TestReviewersAreToldByEmail(t *testing.T) {
	t.Parallel()
	s := newSiteWith(t, testenv.Postgres(t), siteOptions{email: true})
	if status, _ := s.loggedIn(acmeAdmin).submit("/admin/drafts", "/admin/drafts/review-setting", url.Values{"org": {"acme"}, "require": {"on"}}); status != http.StatusSeeOther {
		t.Fatalf("require review: %d", status)
	}
	const compose = "/admin/groups/lobby/compose"
	if status, _ := s.loggedIn(lobbyMod).submit(compose, compose, url.Values{"text": {"Garden day"}, "action": {"publish"}, "zone": {"UTC"}}); status != http.StatusSeeOther {
		t.Fatalf("submit: %d", status)
	}
	draft := s.draftWith("Garden day")
	s.runMail()
	for _, reviewer := range []string{acmeAdmin, acmeOwner} {
		msg := s.mail.WaitFor(t, reviewer, 1, mailWait)
		if !strings.Contains(msg.Subject, "waits for your review") {
			t.Errorf("%s was sent %q", reviewer, msg.Subject)
		}
		s.followLink(msg, "/admin/drafts/"+draft.ID)
	}
	for _, notTold := range []string{lobbyMod, deskMod} {
		if got := s.mail.MessagesTo(notTold); len(got) != 0 {
			t.Errorf("%s was e-mailed %d times about the draft", notTold, len(got))
		}
	}
}
