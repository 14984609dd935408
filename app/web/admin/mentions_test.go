package admin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// keepMention keeps a mention of group by author numbered n, as Submit does.
func keepMention(t *testing.T, st *store.Store, group model.Group, author model.RemoteActor, n int) model.GroupMention {
	t.Helper()
	ctx := context.Background()
	iri := fmt.Sprintf("%s/statuses/%d", author.IRI, n)
	err := st.Transaction(ctx, func(tx *store.Store) error {
		kept, err := tx.RecordGroupMention(ctx, model.GroupMention{GroupID: group.ID, ObjectIRI: iri, URL: iri, RemoteActorID: author.ID,
			AuthorHost: author.Host, ContentHTML: fmt.Sprintf("<p>Question number %d for the group</p>", n), PublishedAt: time.Now()},
			store.MentionBounds{PerAuthor: 1000, PerHost: 1000, Since: time.Now().Add(-time.Hour)})
		if err == nil && !kept {
			err = fmt.Errorf("mention %d not kept", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.GroupMentionOfObject(ctx, group.ID, iri)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestGroupMentionsPage: the group's moderator reads the mentions by non-members newest first, 50 a
// page, each with its author's handle linked to her profile and a link to the original; the
// moderator of another group is refused, and so are a made-up cursor and a made-up mention to
// answer. Answering one as the group publishes a public reply: inReplyTo the mention, mentioning its
// author in tag and cc, delivered to her inbox.
func TestGroupMentionsPage(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := newSite(t, st)
		dave, err := st.SaveRemoteActor(ctx, model.RemoteActor{IRI: "https://far.example/users/dave", Host: "far.example", ActorType: "Person",
			PreferredUsername: "dave", URL: "https://far.example/@dave", InboxURL: "https://far.example/users/dave/inbox", FetchedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		var kept []model.GroupMention
		for n := 1; n <= 52; n++ {
			kept = append(kept, keepMention(t, st, s.lobby, dave, n))
		}
		other := keepMention(t, st, s.desk, dave, 99)

		const list = "/admin/groups/lobby/mentions"
		b := s.loggedIn(lobbyMod)
		status, page := b.get(list)
		if status != http.StatusOK {
			t.Fatalf("mentions page: %d", status)
		}
		newest, tenth := strings.Index(page, "Question number 52 "), strings.Index(page, "Question number 43 ")
		if newest < 0 || tenth < 0 || newest > tenth || strings.Contains(page, "Question number 2 ") {
			t.Errorf("the first page does not list the newest 50, newest first")
		}
		if !strings.Contains(page, `<a href="https://far.example/@dave">@dave@far.example</a>`) ||
			!strings.Contains(page, `href="`+kept[51].URL+`"`) || strings.Contains(page, "Question number 99") {
			t.Errorf("the page lacks the author's profile or the original's link, or shows another group's mention")
		}
		next := fmt.Sprintf("%s?before=%s", list, kept[2].ID)
		if !strings.Contains(page, `href="`+next+`"`) {
			t.Fatalf("no link to the older mentions, after the 50th")
		}
		if status, older := b.get(next); status != http.StatusOK || !strings.Contains(older, "Question number 2 ") ||
			!strings.Contains(older, "Question number 1 ") || strings.Contains(older, "Question number 3 ") {
			t.Errorf("the second page (%d) does not list the two oldest", status)
		}
		for _, path := range []string{list + "?before=" + model.NewID(), list + "?before=" + other.ID,
			"/admin/groups/lobby/compose?answer=" + other.ID} {
			if status, _ := b.get(path); status != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", path, status)
			}
		}
		if status, _ := s.loggedIn(deskMod).get(list); status != http.StatusForbidden && status != http.StatusNotFound {
			t.Errorf("another group's moderator: %d, want a refusal", status)
		}
		if _, analytics := b.get("/admin/groups/lobby/analytics"); !strings.Contains(analytics, `href="/admin/groups/lobby/mentions"`) ||
			!strings.Contains(analytics, "Mentions by non-members") {
			t.Errorf("the Analytics tab neither charts the mentions nor links to them")
		}

		answered := kept[51]
		const compose = "/admin/groups/lobby/compose"
		status, form := b.get(compose + "?answer=" + answered.ID)
		if status != http.StatusOK || !strings.Contains(form, ">@dave@far.example </textarea>") ||
			!strings.Contains(form, `name="answer" value="`+answered.ID+`"`) {
			t.Fatalf("answer form %d: not prefilled with her handle and the mention", status)
		}
		if status, _ := b.submit(compose, compose, url.Values{"answer": {other.ID}, "text": {"Hijacked"}}); status != http.StatusNotFound {
			t.Errorf("answering another group's mention: %d, want 404", status)
		}
		// Kept as a draft and edited, it stays an answer to her post.
		if status, _ := b.submit(compose, compose, url.Values{"answer": {answered.ID}, "text": {"A kept answer"}, "action": {"draft"}, "zone": {"UTC"}}); status != http.StatusSeeOther {
			t.Fatalf("keep the answer as a draft: %d", status)
		}
		edit := "/admin/drafts/" + s.draftWith("A kept answer").ID + "/edit"
		if _, form := b.get(edit); !strings.Contains(form, `name="answer" value="`+answered.ID+`"`) {
			t.Fatalf("the kept answer's form does not carry the mention")
		}
		if status, _ := b.submit(edit, edit, url.Values{"answer": {answered.ID}, "text": {"A kept answer, edited"}, "action": {"draft"}, "zone": {"UTC"}}); status != http.StatusSeeOther {
			t.Fatalf("edit the kept answer: %d", status)
		}
		if kept := s.draftWith("A kept answer, edited"); !strings.Contains(kept.Content, `"InReplyTo":"`+answered.ObjectIRI+`"`) {
			t.Errorf("the edited draft no longer answers the mention: %s", kept.Content)
		}
		// Her handle dropped from the text: it is put back, so that her server shows her the answer.
		if status, _ := b.submit(compose, compose, url.Values{"answer": {answered.ID}, "text": {"We open at nine on Sunday."}}); status != http.StatusSeeOther {
			t.Fatalf("publish the answer: %d", status)
		}
		var posts []model.Post
		if err := st.DB().Where("group_id = ? AND author_kind = ?", s.lobby.ID, model.AuthorGroup).Find(&posts).Error; err != nil {
			t.Fatal(err)
		}
		if len(posts) != 1 || posts[0].InReplyToIRI != answered.ObjectIRI || posts[0].Visibility != model.VisibilityPublic {
			t.Fatalf("published %d posts of the group, want one public reply to %s: %+v", len(posts), answered.ObjectIRI, posts)
		}
		var create struct {
			Cc     []string `json:"cc"`
			Object struct {
				InReplyTo string           `json:"inReplyTo"`
				To        json.RawMessage  `json:"to"` // one IRI or a list: go-fed writes a single value bare
				Tag       []map[string]any `json:"tag"`
			} `json:"object"`
		}
		if err := json.Unmarshal([]byte(posts[0].ActivityJSON), &create); err != nil {
			t.Fatalf("the Create: %v\n%s", err, posts[0].ActivityJSON)
		}
		mentioned := false
		for _, tag := range create.Object.Tag {
			mentioned = mentioned || tag["type"] == "Mention" && tag["href"] == dave.IRI
		}
		if create.Object.InReplyTo != answered.ObjectIRI || !mentioned || !strings.Contains(strings.Join(create.Cc, " "), dave.IRI) ||
			!strings.Contains(string(create.Object.To), "https://www.w3.org/ns/activitystreams#Public") {
			t.Errorf("the Create does not answer her publicly and mention her: %s", posts[0].ActivityJSON)
		}
		var toHer int64
		err = st.DB().Table("deliveries").Where("inbox_url = ?", dave.InboxURL).Count(&toHer).Error
		if err != nil || toHer != 1 {
			t.Errorf("%d deliveries to her inbox (%v), want 1", toHer, err)
		}
	})
}
