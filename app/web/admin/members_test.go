package admin_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// follower is a new remote actor whose follow of group is in state.
func (s *site) follower(group model.Group, state model.FollowState) model.RemoteActor {
	s.t.Helper()
	actor := s.member(group)
	follow, err := s.store.FollowOf(context.Background(), group.ID, actor.ID)
	if err == nil {
		err = s.store.SetFollowState(context.Background(), follow.ID, state)
	}
	if err != nil {
		s.t.Fatal(err)
	}
	return actor
}

// banned is a new remote actor banned from group, as a ban that sent a Block would have left it.
func (s *site) banned(group model.Group, reason string) model.RemoteActor {
	s.t.Helper()
	actor := s.member(group)
	if _, err := s.store.DeleteFollow(context.Background(), group.ID, actor.ID); err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.store.CreateGroupBan(context.Background(), model.GroupBan{GroupID: group.ID, RemoteActorID: actor.ID,
		Reason: reason, BlockActivityIRI: s.iris.NewActivity()}); err != nil {
		s.t.Fatal(err)
	}
	return actor
}

// regexpOlder finds the link to the next, older page of members.
var regexpOlder = regexp.MustCompile(`href="(/admin/groups/lobby/members\?state=accepted&amp;before=[^"]+)"`)

func membersPath(slug, state string) string {
	return "/admin/groups/" + slug + "/members?state=" + state
}

func handle(a model.RemoteActor) string { return "@" + a.PreferredUsername + "@" + a.Host }

// TestMembersListByState: each list shows its actors with handle, server and visible posts, the tabs
// count every list, and an unknown state is refused.
func TestMembersListByState(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		member := s.member(s.lobby)
		s.postBy(member, s.lobby, "<p>one</p>")
		s.postBy(member, s.lobby, "<p>two</p>")
		pending := s.follower(s.lobby, model.FollowPending)
		rejected := s.follower(s.lobby, model.FollowRejected)
		banned := s.banned(s.lobby, "spam links")
		elsewhere := s.member(s.desk)
		b := s.loggedIn(lobbyMod)
		for state, want := range map[string]model.RemoteActor{"accepted": member, "pending": pending, "rejected": rejected, "banned": banned} {
			status, page := b.get(membersPath("lobby", state))
			if status != http.StatusOK || !strings.Contains(page, handle(want)) {
				t.Errorf("%s: %d, lacks %s", state, status, handle(want))
			}
			for _, other := range []model.RemoteActor{member, pending, rejected, banned, elsewhere} {
				if other.ID != want.ID && strings.Contains(page, handle(other)+"<") {
					t.Errorf("%s lists %s", state, handle(other))
				}
			}
			for _, tab := range []string{"Members (1)", "Follow requests (1)", "Rejected (1)", "Banned (1)"} {
				if !strings.Contains(page, tab) {
					t.Errorf("%s page lacks tab %q", state, tab)
				}
			}
		}
		_, page := b.get("/admin/groups/lobby/members")
		if !strings.Contains(page, "<td>social.example</td>") || !strings.Contains(page, "<td>2</td>") ||
			!strings.Contains(page, "/admin/groups/lobby/members/ban?actor="+strings.ToLower(url.QueryEscape(member.IRI))) {
			t.Errorf("member row lacks server, post count or ban link: %s", page)
		}
		if _, page := b.get(membersPath("lobby", "banned")); !strings.Contains(page, "spam links") || !strings.Contains(page, "/members/unban?actor=") {
			t.Error("the banned list shows why and offers an unban")
		}
		if _, page := b.get(membersPath("lobby", "pending")); !strings.Contains(page, `action="/admin/groups/lobby/members/approve"`) {
			t.Error("follow requests offer Approve")
		}
		if status, _ := b.get(membersPath("lobby", "everyone")); status != http.StatusBadRequest {
			t.Errorf("unknown state: %d", status)
		}
	})
}

// TestMembersPaging: a long list comes in pages of 50, newest first, with a link to the older ones.
func TestMembersPaging(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		var actors []model.RemoteActor
		for range 51 {
			actors = append(actors, s.member(s.lobby))
		}
		b := s.loggedIn(lobbyMod)
		_, first := b.get("/admin/groups/lobby/members")
		if !strings.Contains(first, handle(actors[50])+"<") || strings.Contains(first, handle(actors[0])+"<") {
			t.Fatal("the first page shows the newest 50")
		}
		older := regexpOlder.FindStringSubmatch(first)
		if older == nil {
			t.Fatal("no link to older members")
		}
		_, second := b.get(strings.ReplaceAll(older[1], "&amp;", "&"))
		if !strings.Contains(second, handle(actors[0])+"<") || strings.Contains(second, handle(actors[1])+"<") || regexpOlder.MatchString(second) {
			t.Errorf("the second page shows only the oldest member, and no further link: %s", second)
		}
	})
}

// TestFollowRequestsApproveAndReject: a pending request approved becomes a member with an Accept on
// its way; one rejected gets a Reject.
func TestFollowRequestsApproveAndReject(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.Postgres(t))
	yes, no := s.follower(s.lobby, model.FollowPending), s.follower(s.lobby, model.FollowPending)
	b := s.loggedIn(lobbyMod)
	from := membersPath("lobby", "pending")
	if status, _ := b.submit(from, "/admin/groups/lobby/members/approve", url.Values{"actor": {yes.IRI}}); status != http.StatusSeeOther {
		t.Fatalf("approve: %d", status)
	}
	if status, _ := b.submit(from, "/admin/groups/lobby/members/reject", url.Values{"actor": {no.IRI}}); status != http.StatusSeeOther {
		t.Fatalf("reject: %d", status)
	}
	for actor, want := range map[model.RemoteActor]model.FollowState{yes: model.FollowAccepted, no: model.FollowRejected} {
		if follow, err := s.store.FollowOf(context.Background(), s.lobby.ID, actor.ID); err != nil {
			t.Fatal(err)
		} else if follow.State != want {
			t.Errorf("%s: %s, want %s", actor.PreferredUsername, follow.State, want)
		}
	}
	if len(s.sentTo(yes.InboxURL, "Accept")) != 1 || len(s.sentTo(no.InboxURL, "Reject")) != 1 {
		t.Error("each follower's server must be told")
	}
	if status, _ := b.submit(from, "/admin/groups/lobby/members/approve", url.Values{"actor": {"https://nowhere.example/users/x"}}); status != http.StatusNotFound {
		t.Errorf("approving someone who never asked: %d", status)
	}
}

// TestRemoveBanAndUnban drives the three decisions through their pages: each tells the member's
// server (Reject, Block, Undo{Block}) and is logged with the moderator and the reason.
func TestRemoveBanAndUnban(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := newSite(t, st)
		leaving, spammer := s.member(s.lobby), s.member(s.lobby)
		posted := s.postBy(spammer, s.lobby, "<p>buy now</p>")
		b := s.loggedIn(lobbyMod)
		staff := s.staffID(lobbyMod)

		removePage := "/admin/groups/lobby/members/remove?actor=" + url.QueryEscape(leaving.IRI)
		if status, page := b.get(removePage); status != http.StatusOK || !strings.Contains(page, handle(leaving)) {
			t.Fatalf("remove page: %d", status)
		}
		if status, _ := b.submit(removePage, "/admin/groups/lobby/members/remove", url.Values{"actor": {leaving.IRI}, "reason": {"left"}}); status != http.StatusSeeOther {
			t.Fatalf("remove: %d", status)
		}
		if _, err := st.FollowOf(ctx, s.lobby.ID, leaving.ID); err == nil {
			t.Error("removed member still follows")
		}
		if len(s.sentTo(leaving.InboxURL, "Reject")) != 1 {
			t.Error("the removed member's server gets a Reject")
		}

		banPage := "/admin/groups/lobby/members/ban?actor=" + url.QueryEscape(spammer.IRI)
		if _, page := b.get(banPage); !strings.Contains(page, `name="remove_posts"`) || !strings.Contains(page, "1 visible posts") {
			t.Errorf("ban page: %s", page)
		}
		if status, _ := b.submit(banPage, "/admin/groups/lobby/members/ban", url.Values{"actor": {spammer.IRI}}); status != http.StatusBadRequest {
			t.Errorf("a ban without a reason: %d", status)
		}
		if status, _ := b.submit(banPage, "/admin/groups/lobby/members/ban", url.Values{"actor": {spammer.IRI}, "reason": {"spam"}, "remove_posts": {"1"}}); status != http.StatusSeeOther {
			t.Fatalf("ban: %d", status)
		}
		if banned, err := st.IsBanned(ctx, s.lobby.ID, spammer.ID); err != nil {
			t.Fatal(err)
		} else if !banned {
			t.Error("not banned")
		}
		blocks := s.sentTo(spammer.InboxURL, "Block")
		if len(blocks) != 1 {
			t.Fatalf("Blocks to the member: %d", len(blocks))
		}
		var block struct{ Actor, Object, To string }
		if err := json.Unmarshal([]byte(blocks[0].Body), &block); err != nil || block.Actor != s.iris.GroupActor("lobby") ||
			block.Object != spammer.IRI || block.To != spammer.IRI {
			t.Errorf("Block: %s", blocks[0].Body)
		}
		if post := s.postNow(posted.PostID); post.State != model.PostRemoved {
			t.Errorf("their post is %s", post.State)
		}
		if _, page := b.get(membersPath("lobby", "banned")); !strings.Contains(page, handle(spammer)) || !strings.Contains(page, "spam") {
			t.Error("the banned list shows the ban")
		}

		unbanPage := "/admin/groups/lobby/members/unban?actor=" + url.QueryEscape(spammer.IRI)
		if status, _ := b.submit(unbanPage, "/admin/groups/lobby/members/unban", url.Values{"actor": {spammer.IRI}, "reason": {"appeal granted"}}); status != http.StatusSeeOther {
			t.Fatalf("unban: %d", status)
		}
		undos := s.sentTo(spammer.InboxURL, "Undo")
		if len(undos) != 1 || !strings.Contains(undos[0].Body, blocks[0].ActivityIRI) {
			t.Errorf("Undo of the Block: %+v", undos)
		}
		if status, _ := b.get(unbanPage); status != http.StatusNotFound {
			t.Errorf("unban page of someone not banned: %d", status)
		}

		for action, reason := range map[model.LogAction]string{model.ActionMemberRemove: "left", model.ActionMemberBan: "spam", model.ActionMemberUnban: "appeal granted"} {
			logged := s.logged(s.lobby, action)
			if len(logged) != 1 || logged[0].Reason != reason || logged[0].StaffAccountID == nil || *logged[0].StaffAccountID != staff {
				t.Errorf("%s logged: %+v", action, logged)
			}
		}
		if removed := s.logged(s.lobby, model.ActionPostRemove); len(removed) != 1 || *removed[0].StaffAccountID != staff {
			t.Errorf("the removed post is logged as the moderator's: %+v", removed)
		}
	})
}

// TestMemberOfAnotherGroup: a moderator cannot remove another group's member through their own
// group's URLs; there the actor is not a member.
func TestMemberOfAnotherGroup(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.Postgres(t))
	deskMember := s.member(s.desk)
	b := s.loggedIn(lobbyMod)
	if status, _ := b.submit("/admin", "/admin/groups/lobby/members/remove", url.Values{"actor": {deskMember.IRI}}); status != http.StatusNotFound {
		t.Errorf("remove a desk member through lobby: %d, want 404", status)
	}
	if _, err := s.store.FollowOf(context.Background(), s.desk.ID, deskMember.ID); err != nil {
		t.Errorf("the desk follow must stay: %v", err)
	}
	if status, _ := b.get("/admin/groups/lobby/members/ban?actor=" + url.QueryEscape("https://nowhere.example/users/x")); status != http.StatusNotFound {
		t.Errorf("ban page of an unknown actor: %d", status)
	}
}

// TestMembersRoles: who may list lobby's members and decide about them.
func TestMembersRoles(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.Postgres(t))
	actorForm := func(next func() model.RemoteActor) (url.Values, func() string) {
		form := url.Values{"reason": {"role test"}}
		return form, func() string {
			form.Set("actor", next().IRI)
			return ""
		}
	}
	route := func(name, path string, next func() model.RemoteActor) roleRoute {
		form, pick := actorForm(next)
		return roleRoute{name: name, post: true, form: form, target: func() string { return path + pick() }}
	}
	pending := func() model.RemoteActor { return s.follower(s.lobby, model.FollowPending) }
	member := func() model.RemoteActor { return s.member(s.lobby) }
	banned := func() model.RemoteActor { return s.banned(s.lobby, "role test") }
	checkRoles(t, s, s.lobby, []roleRoute{
		{name: "members", target: func() string { return "/admin/groups/lobby/members" }},
		{name: "banned list", target: func() string { return membersPath("lobby", "banned") }},
		{name: "ban page", target: func() string { return "/admin/groups/lobby/members/ban?actor=" + url.QueryEscape(member().IRI) }},
		{name: "unban page", target: func() string { return "/admin/groups/lobby/members/unban?actor=" + url.QueryEscape(banned().IRI) }},
		route("approve", "/admin/groups/lobby/members/approve", pending),
		route("reject", "/admin/groups/lobby/members/reject", pending),
		route("remove", "/admin/groups/lobby/members/remove", member),
		route("ban", "/admin/groups/lobby/members/ban", member),
		route("unban", "/admin/groups/lobby/members/unban", banned),
	}, []string{lobbyMod, acmeAdmin, acmeOwner, instanceAdmin}, []string{otherAdmin, deskMod})
}
