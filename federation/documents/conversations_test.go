package documents_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-fed/activity/streams/vocab"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/activities"
	"github.com/kring-social/kring/test/testenv"
)

// conversation is a lobby with a bit of everything the documents must serve or keep to themselves.
type conversation struct {
	*site
	other                      model.Group
	pinnedOld, pinnedNew       model.Post // the group's own, pinned
	memberRoot                 model.Post // a member's post, announced
	reply, lateReply           model.Post // replies under memberRoot
	heldReply, privateReply    model.Post // replies that must not show
	removedOwn, heldOwn, plain model.Post // the group's own: removed, held, visible
	followersOwn, elsewhere    model.Post
	unannounced                model.Post // a member's post whose Announce was never stored
	createOfPlain, announce    string     // activity ids
}

func newConversation(t *testing.T, st *store.Store) *conversation {
	t.Helper()
	ctx := context.Background()
	c := &conversation{site: newSite(t, st)}
	var err error
	c.other, err = st.CreateGroup(ctx, model.Group{OrganisationID: c.lobby.OrganisationID, Slug: "other", Name: "Other", PostingPolicy: model.PostingFollowers})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	alice := model.RemoteActor{ID: model.NewID(), IRI: "https://m.example/users/alice", Host: "m.example", ActorType: "Person",
		PreferredUsername: "alice", DisplayName: "Alice", InboxURL: "https://m.example/inbox", FetchedAt: now, CreatedAt: now, UpdatedAt: now}
	if err := st.DB().Create(&alice).Error; err != nil {
		t.Fatal(err)
	}
	at := func(minutes int) time.Time { return now.Add(time.Duration(minutes-60) * time.Minute) }
	own := func(group model.Group, minutes int, state model.PostState, visibility model.Visibility, pinned *time.Time) model.Post {
		id := model.NewID()
		return c.create(t, model.Post{ID: id, GroupID: group.ID, ObjectIRI: c.iris.GroupPost(group.Slug, id), AuthorKind: model.AuthorGroup,
			ObjectType: "Note", ContentHTML: "<p>own</p>", Visibility: visibility, State: state, PublishedAt: at(minutes), PinnedAt: pinned})
	}
	member := func(name string, minutes int, state model.PostState, visibility model.Visibility, reach model.Reach, root string) model.Post {
		return c.create(t, model.Post{GroupID: c.lobby.ID, ObjectIRI: "https://m.example/notes/" + name, AuthorKind: model.AuthorRemote,
			AuthorActorID: &alice.ID, ObjectType: "Note", ContentHTML: "<p>" + name + "</p>", URL: "https://m.example/@alice/" + name,
			Visibility: visibility, State: state, Reach: reach, ThreadRootIRI: root, PublishedAt: at(minutes)})
	}
	pinOld, pinNew := at(30), at(40)
	c.pinnedOld = own(c.lobby, 1, model.PostVisible, model.VisibilityPublic, &pinOld)
	c.pinnedNew = own(c.lobby, 2, model.PostVisible, model.VisibilityPublic, &pinNew)
	c.memberRoot = member("root", 3, model.PostVisible, model.VisibilityPublic, model.ReachFollowers, "")
	root := c.memberRoot.ObjectIRI
	// Published before its root by the replier's clock: the root still leads the thread.
	c.reply = member("reply", 2, model.PostVisible, model.VisibilityUnlisted, model.ReachThread, root)
	c.lateReply = member("late", 9, model.PostVisible, model.VisibilityPublic, model.ReachThread, root)
	c.heldReply = member("held", 5, model.PostHeld, model.VisibilityPublic, model.ReachThread, root)
	c.privateReply = member("private", 6, model.PostVisible, model.VisibilityFollowers, model.ReachThread, root)
	c.removedOwn = own(c.lobby, 7, model.PostRemoved, model.VisibilityPublic, nil)
	c.heldOwn = own(c.lobby, 8, model.PostHeld, model.VisibilityPublic, nil)
	c.followersOwn = own(c.lobby, 9, model.PostVisible, model.VisibilityFollowers, nil)
	c.plain = own(c.lobby, 10, model.PostVisible, model.VisibilityPublic, nil)
	c.unannounced = member("unannounced", 11, model.PostVisible, model.VisibilityPublic, model.ReachFollowers, "")
	c.elsewhere = own(c.other, 12, model.PostVisible, model.VisibilityPublic, nil)

	// What the group sent: the Create of its own post and the Announce of the member's.
	c.createOfPlain = c.iris.NewActivity()
	create, err := activities.GroupPostActivity("Create", c.createOfPlain, c.iris, c.lobby, c.plain, now)
	if err != nil {
		t.Fatal(err)
	}
	c.storeSent(t, c.createOfPlain, create)
	c.updatePost(t, c.plain.ID, store.PostChange{CreateActivityIRI: store.To(c.createOfPlain)})
	c.announce = c.iris.NewActivity()
	audience := activities.Audience{Visibility: model.VisibilityPublic, Followers: c.iris.GroupFollowers("lobby"), Group: c.iris.GroupActor("lobby")}
	announce, err := activities.Announce{ID: c.announce, Group: c.iris.GroupActor("lobby"), Audience: audience, ObjectIRI: root, At: now}.Build()
	if err != nil {
		t.Fatal(err)
	}
	c.storeSent(t, c.announce, announce)
	c.updatePost(t, c.memberRoot.ID, store.PostChange{AnnounceActivityIRI: store.To(&c.announce)})
	missing := c.iris.NewActivity()
	c.updatePost(t, c.unannounced.ID, store.PostChange{AnnounceActivityIRI: store.To(&missing)})
	return c
}

func (c *conversation) create(t *testing.T, post model.Post) model.Post {
	t.Helper()
	created, err := c.site.store.CreatePost(context.Background(), post)
	if err != nil {
		t.Fatal(err)
	}
	return created
}

func (c *conversation) storeSent(t *testing.T, id string, activity vocab.Type) {
	t.Helper()
	body, err := activities.Marshal(activity)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.site.store.CreateOutboundActivity(context.Background(), model.OutboundActivity{ActivityIRI: id,
		ActorKind: model.OwnerGroup, GroupID: &c.lobby.ID, ActivityType: activity.GetTypeName(), Body: string(body)})
	if err != nil {
		t.Fatal(err)
	}
}

func (c *conversation) updatePost(t *testing.T, postID string, change store.PostChange) {
	t.Helper()
	if err := c.site.store.UpdatePost(context.Background(), postID, change); err != nil {
		t.Fatal(err)
	}
}

// path turns an IRI of the site into the path to request.
func path(iri string) string { return strings.TrimPrefix(iri, "https://kring.example") }

func decode(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("not JSON: %v: %s", err, body)
	}
	return m
}

func TestGroupPostServesOnlyTheGroupsOwnVisibleNotes(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		c := newConversation(t, st)
		const as = "application/activity+json"
		cases := []struct {
			name   string
			path   string
			accept string
			status int
		}{
			{"own visible post", path(c.plain.ObjectIRI), as, http.StatusOK},
			{"own pinned post", path(c.pinnedNew.ObjectIRI), `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, http.StatusOK},
			{"browser", path(c.plain.ObjectIRI), "text/html", http.StatusSeeOther},
			{"unknown id", "/groups/lobby/posts/" + model.NewID(), as, http.StatusNotFound},
			{"unknown id, browser", "/groups/lobby/posts/" + model.NewID(), "text/html", http.StatusNotFound},
			{"another group's post", "/groups/lobby/posts/" + c.elsewhere.ID, as, http.StatusNotFound},
			{"member's post", "/groups/lobby/posts/" + c.memberRoot.ID, as, http.StatusNotFound},
			{"removed", path(c.removedOwn.ObjectIRI), as, http.StatusGone},
			{"held", path(c.heldOwn.ObjectIRI), as, http.StatusNotFound},
			{"followers only", path(c.followersOwn.ObjectIRI), as, http.StatusNotFound},
			{"unknown group", "/groups/nobody/posts/" + c.plain.ID, as, http.StatusNotFound},
		}
		for _, tc := range cases {
			rec := c.get(t, tc.path, tc.accept)
			if rec.Code != tc.status {
				t.Errorf("%s: status %d, want %d: %s", tc.name, rec.Code, tc.status, rec.Body)
				continue
			}
			switch tc.status {
			case http.StatusSeeOther:
				if loc := rec.Header().Get("Location"); loc != "https://kring.example/groups/lobby" {
					t.Errorf("%s: redirected to %q", tc.name, loc)
				}
			case http.StatusOK:
				note := decode(t, rec.Body.Bytes())
				if !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/activity+json") || rec.Header().Get("Vary") != "Accept" {
					t.Errorf("%s: headers %v", tc.name, rec.Header())
				}
				if note["type"] != "Note" || "https://kring.example"+tc.path != note["id"] || note["attributedTo"] != "https://kring.example/groups/lobby" || note["@context"] == nil {
					t.Errorf("%s: %v", tc.name, note)
				}
			}
		}
	})
}

func TestThreadListsTheConversationOldestFirst(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		c := newConversation(t, st)
		cases := []struct {
			name   string
			id     string
			status int
			items  []string
		}{
			{"member's post with replies", c.memberRoot.ID, http.StatusOK, []string{c.memberRoot.ObjectIRI, c.reply.ObjectIRI, c.lateReply.ObjectIRI}},
			{"group's post without replies", c.plain.ID, http.StatusOK, []string{c.plain.ObjectIRI}},
			{"a reply is its own thread", c.reply.ID, http.StatusOK, []string{c.reply.ObjectIRI}},
			{"held post", c.heldReply.ID, http.StatusNotFound, nil},
			{"followers-only post", c.privateReply.ID, http.StatusNotFound, nil},
			{"removed post", c.removedOwn.ID, http.StatusNotFound, nil},
			{"another group's post", c.elsewhere.ID, http.StatusNotFound, nil},
			{"unknown", model.NewID(), http.StatusNotFound, nil},
		}
		for _, tc := range cases {
			rec := c.get(t, "/groups/lobby/threads/"+tc.id, "application/activity+json")
			if rec.Code != tc.status {
				t.Errorf("%s: status %d, want %d", tc.name, rec.Code, tc.status)
				continue
			}
			if tc.status != http.StatusOK {
				continue
			}
			var doc struct {
				ID, Type     string
				TotalItems   int
				OrderedItems []string
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.ID != c.iris.GroupThread("lobby", tc.id) || doc.Type != "OrderedCollection" || doc.TotalItems != len(tc.items) ||
				strings.Join(doc.OrderedItems, " ") != strings.Join(tc.items, " ") {
				t.Errorf("%s: %s\nwant items %v", tc.name, rec.Body, tc.items)
			}
		}
	})
}

func TestFeaturedEmbedsPinnedNotesNewestPinFirst(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		c := newConversation(t, st)
		rec := c.get(t, "/groups/lobby/featured", "application/activity+json")
		doc := decode(t, rec.Body.Bytes())
		if rec.Code != 200 || doc["id"] != "https://kring.example/groups/lobby/featured" || doc["type"] != "OrderedCollection" ||
			doc["totalItems"] != float64(2) || doc["@context"] == nil {
			t.Fatalf("featured: %d %s", rec.Code, rec.Body)
		}
		items, _ := doc["orderedItems"].([]any)
		var ids []string
		for _, item := range items {
			note := item.(map[string]any)
			if note["type"] != "Note" || note["content"] != "<p>own</p>" || note["@context"] != nil {
				t.Errorf("embedded note %v", note)
			}
			ids = append(ids, note["id"].(string))
		}
		if want := []string{c.pinnedNew.ObjectIRI, c.pinnedOld.ObjectIRI}; strings.Join(ids, " ") != strings.Join(want, " ") {
			t.Errorf("featured %v, want %v", ids, want)
		}
		// Another group has nothing pinned: an empty list, not a missing one.
		empty := decode(t, c.get(t, "/groups/other/featured", "").Body.Bytes())
		if list, ok := empty["orderedItems"].([]any); !ok || len(list) != 0 || empty["totalItems"] != float64(0) {
			t.Errorf("empty featured: %v", empty)
		}
	})
}

func TestOutboxEmbedsTheGroupsActivities(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		c := newConversation(t, st)
		rec := c.get(t, "/groups/lobby/outbox", "application/activity+json")
		doc := decode(t, rec.Body.Bytes())
		// Counted: the two pins, the member's root, the plain post and the unannounced one; replies,
		// held, removed and followers-only posts are not.
		if rec.Code != 200 || doc["id"] != "https://kring.example/groups/lobby/outbox" || doc["totalItems"] != float64(5) ||
			doc["@context"] != "https://www.w3.org/ns/activitystreams" {
			t.Fatalf("outbox: %d %s", rec.Code, rec.Body)
		}
		items, _ := doc["orderedItems"].([]any)
		var got []string
		for _, item := range items {
			activity := item.(map[string]any)
			if activity["@context"] != nil || activity["actor"] != "https://kring.example/groups/lobby" {
				t.Errorf("embedded activity %v", activity)
			}
			got = append(got, activity["type"].(string)+" "+activity["id"].(string))
		}
		// Newest first; the pins have no stored Create and the unannounced post no Announce: skipped.
		want := []string{"Create " + c.createOfPlain, "Announce " + c.announce}
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			t.Errorf("outbox items %v, want %v", got, want)
		}
		create := items[0].(map[string]any)
		if create["object"].(map[string]any)["id"] != c.plain.ObjectIRI {
			t.Errorf("the Create does not embed its Note: %v", create)
		}
		if empty := decode(t, c.get(t, "/groups/other/outbox", "").Body.Bytes()); empty["totalItems"] != float64(1) || len(empty["orderedItems"].([]any)) != 0 {
			t.Errorf("other group's outbox: %v", empty)
		}
	})
}

func TestActivitiesServeOnlyPublicGroupActivities(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		c := newConversation(t, st)
		ctx := context.Background()
		stored := func(kind, body string) string {
			id := c.iris.NewActivity()
			if _, err := st.CreateOutboundActivity(ctx, model.OutboundActivity{ActivityIRI: id, ActorKind: model.OwnerGroup,
				GroupID: &c.lobby.ID, ActivityType: kind, Body: strings.ReplaceAll(body, "ID", id)}); err != nil {
				t.Fatal(err)
			}
			return id
		}
		accept, err := activities.Accept(c.iris.NewActivity(), c.iris.GroupActor("lobby"),
			activities.FollowRef{ID: "https://m.example/follows/1", Actor: "https://m.example/users/alice", Object: c.iris.GroupActor("lobby")})
		if err != nil {
			t.Fatal(err)
		}
		acceptBody, _ := activities.Marshal(accept)
		// A removed post's Announce, withdrawn by the group's Undo, is gone; a similar id is not.
		withdrawn := stored("Announce", `{"id":"ID","type":"Announce","to":"as:Public"}`)
		stored("Undo", `{"id":"ID","type":"Undo","to":"as:Public","object":{"id":"`+withdrawn+`","type":"Announce"}}`)
		similar := stored("Announce", `{"id":"ID","type":"Announce","to":"as:Public"}`)
		stored("Undo", `{"id":"ID","type":"Undo","to":"as:Public","object":"`+similar+`_x"}`)
		cases := []struct {
			name   string
			id     string
			status int
		}{
			{"Create of the group's post", c.createOfPlain, http.StatusOK},
			{"Announce of a member's post", c.announce, http.StatusOK},
			{"Undo, Public in cc", stored("Undo", `{"id":"ID","type":"Undo","to":["https://example/followers"],"cc":["https://www.w3.org/ns/activitystreams#Public"]}`), http.StatusOK},
			{"Delete, compact Public", stored("Delete", `{"id":"ID","type":"Delete","to":"as:Public"}`), http.StatusOK},
			{"Update to followers only", stored("Update", `{"id":"ID","type":"Update","to":["https://kring.example/groups/lobby/followers"]}`), http.StatusNotFound},
			{"Accept of a follow", stored("Accept", string(acceptBody)), http.StatusNotFound},
			{"Accept even if public", stored("Accept", `{"id":"ID","type":"Accept","to":"https://www.w3.org/ns/activitystreams#Public"}`), http.StatusNotFound},
			{"unknown", c.iris.NewActivity(), http.StatusNotFound},
			{"Announce withdrawn by an Undo", withdrawn, http.StatusGone},
			{"Announce whose id another Undo only starts with", similar, http.StatusOK},
		}
		for _, tc := range cases {
			rec := c.get(t, path(tc.id), "application/activity+json")
			if rec.Code != tc.status {
				t.Errorf("%s: status %d, want %d", tc.name, rec.Code, tc.status)
				continue
			}
			if tc.status == http.StatusOK {
				if doc := decode(t, rec.Body.Bytes()); doc["id"] != tc.id || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/activity+json") {
					t.Errorf("%s: %s", tc.name, rec.Body)
				}
			}
		}
	})
}

func TestGroupPageListsPublicPostsPinnedFirst(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		c := newConversation(t, st)
		page := c.get(t, "/groups/lobby", "text/html").Body.String()
		for _, tc := range []struct {
			text    string
			present bool
		}{
			{`<a href="https://m.example/@alice/root" rel="nofollow noopener">`, true},
			{"<strong>Alice</strong> <span class=\"handle\">@alice@m.example</span>", true},
			{"<p>unannounced</p>", true},
			{"<p>reply</p>", false}, // replies stay in their thread
			{"<p>late</p>", false},
			{"<p>held</p>", false},
			{"<p>private</p>", false},
		} {
			if strings.Contains(page, tc.text) != tc.present {
				t.Errorf("page contains %q: %v, want %v", tc.text, !tc.present, tc.present)
			}
		}
		if n := strings.Count(page, `<span class="pin">Pinned</span>`); n != 2 {
			t.Errorf("%d pinned posts, want 2", n)
		}
		if first, root := strings.Index(page, "Pinned"), strings.Index(page, "<p>root</p>"); first < 0 || first > root {
			t.Errorf("pinned posts do not come first")
		}
	})
}
