package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/community"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// directMessage has author send group a direct message, as the worker does when one arrives, and
// returns the conversation it landed in.
func (s *site) directMessage(author model.RemoteActor, group model.Group, id, contentHTML string) string {
	s.t.Helper()
	results, err := s.community.ReceiveDirect(context.Background(), author, community.DirectMessage{ActivityIRI: id + "/activity",
		ObjectIRI: id, ContentHTML: contentHTML}, []model.Group{group})
	if err != nil || len(results) != 1 || results[0].ConversationID == "" {
		s.t.Fatalf("direct message: %+v, %v", results, err)
	}
	return results[0].ConversationID
}

// conversationNow reads a conversation as stored.
func (s *site) conversationNow(id string) model.SupportConversation {
	s.t.Helper()
	c, err := s.store.SupportConversationByID(context.Background(), id)
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

// TestSupportInboxThroughAdmin: the group's moderator finds a member's direct message in the support
// inbox, sanitised; starts a reply from a saved reply with its placeholders filled in; sends it (a
// direct message from the group, queued to her inbox alone, in reply to her message); adds a note
// that goes nowhere; closes the conversation; assigns it to herself but not to the moderator of
// another group; turns it into a report once however often she clicks.
func TestSupportInboxThroughAdmin(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		alice := s.member(s.lobby)
		noteID := alice.IRI + "/statuses/1"
		id := s.directMessage(alice, s.lobby, noteID, `<p><a href="x" class="mention">@lobby</a> Where is the meeting? <script>alert(1)</script></p>`)
		b := s.loggedIn(lobbyMod)
		inbox, page := "/admin/groups/lobby/support", "/admin/groups/lobby/support/"+id

		status, body := b.get(inbox)
		if status != http.StatusOK || !strings.Contains(body, "Where is the meeting?") || !strings.Contains(body, "To answer (1)") {
			t.Fatalf("support inbox %d: %s", status, body)
		}
		status, body = b.get(page)
		if status != http.StatusOK || !strings.Contains(body, "Where is the meeting?") || strings.Contains(body, "<script>alert") {
			t.Fatalf("conversation %d: %s", status, body)
		}

		replies := "/admin/groups/lobby/saved-replies"
		if status, _ := b.submit(replies, replies, url.Values{"title": {"Meeting place"}, "body": {"Hi {name}, {group} meets in room 4."}}); status != http.StatusSeeOther {
			t.Fatalf("save a reply: %d", status)
		}
		if status, body := b.submit(replies, replies, url.Values{"title": {"Meeting place"}, "body": {"again"}}); status != http.StatusConflict ||
			!strings.Contains(body, "already") {
			t.Errorf("a second reply of the same title: %d", status)
		}
		saved, err := st.SavedReplies(context.Background(), s.lobby.OrganisationID)
		if err != nil || len(saved) != 1 {
			t.Fatalf("saved replies %+v, %v", saved, err)
		}
		if _, body := b.get(page + "?saved=" + saved[0].ID); !strings.Contains(body, "Hi Member member1, Lobby meets in room 4.</textarea>") {
			t.Errorf("the saved reply did not fill the form: %s", body)
		}

		if status, body := b.submit(page, page+"/reply", url.Values{"text": {"  "}}); status != http.StatusBadRequest || !strings.Contains(body, "write the reply first") {
			t.Errorf("an empty reply: %d", status)
		}
		if status, _ := b.submit(page, page+"/reply", url.Values{"text": {"Hi Alice, room 4 at 7pm."}}); status != http.StatusSeeOther {
			t.Fatalf("reply: %d", status)
		}
		sent := s.sentTo(alice.InboxURL, "Create")
		if len(sent) != 1 || !strings.Contains(sent[0].Body, "room 4 at 7pm") || !strings.Contains(sent[0].Body, `"inReplyTo":"`+noteID+`"`) {
			t.Fatalf("reply queued to her inbox: %+v", sent)
		}
		if strings.Contains(sent[0].Body, "https://www.w3.org/ns/activitystreams#Public") {
			t.Errorf("the reply is public: %s", sent[0].Body)
		}
		if status, _ := b.submit(page, page+"/note", url.Values{"note": {"She asked last week too."}}); status != http.StatusSeeOther {
			t.Fatalf("note: %d", status)
		}
		if n := len(s.sentTo(alice.InboxURL, "Create")); n != 1 {
			t.Errorf("a note was sent: %d Creates to her", n)
		}
		if _, body := b.get(page); !strings.Contains(body, "She asked last week too.") || !strings.Contains(body, "staff only") {
			t.Errorf("the note is not shown: %s", body)
		}
		if c := s.conversationNow(id); c.Status != model.SupportWaiting || c.AssigneeStaffID == nil || *c.AssigneeStaffID != s.staffID(lobbyMod) {
			t.Errorf("after the reply: %s, assigned to %v", c.Status, c.AssigneeStaffID)
		}

		if status, _ := b.submit(page, page+"/status", url.Values{"status": {"closed"}}); status != http.StatusSeeOther {
			t.Fatalf("close: %d", status)
		}
		if status, _ := b.submit(page, page+"/status", url.Values{"status": {"archived"}}); status != http.StatusBadRequest {
			t.Errorf("an unknown status: %d", status)
		}
		if c := s.conversationNow(id); c.Status != model.SupportClosed || c.ClosedAt == nil {
			t.Errorf("after closing: %s, closed at %v", c.Status, c.ClosedAt)
		}
		if status, _ := b.submit(page, page+"/assign", url.Values{"to": {s.staffID(deskMod)}}); status != http.StatusBadRequest {
			t.Errorf("assigned to a moderator of another group: %d", status)
		}
		if status, _ := b.submit(page, page+"/assign", url.Values{"to": {"nobody"}}); status != http.StatusSeeOther || s.conversationNow(id).AssigneeStaffID != nil {
			t.Errorf("unassign: %d", status)
		}

		for range 2 {
			if status, _ := b.submit(page, page+"/report", url.Values{"reason": {"Keeps asking for private data"}}); status != http.StatusSeeOther {
				t.Fatalf("report: %d", status)
			}
		}
		c := s.conversationNow(id)
		var reports []model.Report
		if err := st.DB().Where("group_id = ?", s.lobby.ID).Find(&reports).Error; err != nil || len(reports) != 1 || c.ReportID == nil || *c.ReportID != reports[0].ID {
			t.Fatalf("reports %+v (%v), conversation's %v: want one, linked", reports, err, c.ReportID)
		}
		if r := reports[0]; r.TargetActorID == nil || *r.TargetActorID != alice.ID || !strings.Contains(r.Content, "Where is the meeting?") ||
			!strings.Contains(r.Content, "Keeps asking for private data") {
			t.Errorf("report %+v", r)
		}
	})
}

// Only staff who may moderate the group see or act on its conversations; a conversation of one group
// is not found under another group's path, even by someone who moderates that one.
func TestSupportInboxRoles(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	s := newSite(t, st)
	alice := s.member(s.lobby)
	id := s.directMessage(alice, s.lobby, alice.IRI+"/statuses/9", "<p>private question</p>")
	page := "/admin/groups/lobby/support/" + id
	checkRoles(t, s, s.lobby, []roleRoute{
		{name: "support inbox", target: func() string { return "/admin/groups/lobby/support" }},
		{name: "conversation", target: func() string { return page }},
		{name: "saved replies", target: func() string { return "/admin/groups/lobby/saved-replies" }},
		{name: "note", post: true, target: func() string { return page + "/note" }, form: url.Values{"note": {"n"}}},
		{name: "status", post: true, target: func() string { return page + "/status" }, form: url.Values{"status": {"open"}}},
		{name: "reply", post: true, target: func() string { return page + "/reply" }, form: url.Values{"text": {"hello"}}},
	}, []string{lobbyMod, acmeAdmin, acmeOwner, instanceAdmin}, []string{deskMod, otherAdmin})

	desk := s.loggedIn(deskMod)
	if status, body := desk.get("/admin/groups/desk/support/" + id); status != http.StatusNotFound || strings.Contains(body, "private question") {
		t.Errorf("lobby's conversation under desk's path: %d", status)
	}
	if status, _ := desk.submit("/admin/groups/desk/support", "/admin/groups/desk/support/"+id+"/reply", url.Values{"text": {"hi"}}); status != http.StatusNotFound {
		t.Errorf("a reply to lobby's conversation under desk's path: %d", status)
	}
}
