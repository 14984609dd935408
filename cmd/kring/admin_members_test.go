package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// TestAdminMembersBanUnbanRemove: `kring admin member` bans (a Block queued, the follow gone),
// unbans and removes, logging each as Kring's command line, and refuses what makes no sense with the
// documented exit codes. On the embedded SQLite database, whose directory the test also opens to
// seed the followers (Kring learns remote actors only from their servers).
func TestAdminMembersBanUnbanRemove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	admin := func(args ...string) (int, string, string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		code := run(ctx, append([]string{"admin"}, args...), &stdout, &stderr, envFrom(map[string]string{"KRING_DATA_DIR": dir}))
		return code, stdout.String(), stderr.String()
	}
	for _, args := range [][]string{{"org", "create", "--slug", "acme", "--name", "Acme"}, {"group", "create", "--org", "acme", "--slug", "lobby", "--name", "Lobby"}} {
		if code, _, errOut := admin(args...); code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
	}
	st, err := store.Open(ctx, store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	group, err := st.GroupBySlug(ctx, "lobby")
	if err != nil {
		t.Fatal(err)
	}
	follower := func(name string) model.RemoteActor {
		actor, err := st.SaveRemoteActor(ctx, model.RemoteActor{IRI: "https://a.example/users/" + name, Host: "a.example",
			ActorType: "Person", PreferredUsername: name, InboxURL: "https://a.example/users/" + name + "/inbox", FetchedAt: time.Now()})
		if err == nil {
			_, err = st.SaveFollow(ctx, model.Follow{GroupID: group.ID, RemoteActorID: actor.ID,
				FollowActivityIRI: actor.IRI + "/follow", State: model.FollowAccepted})
		}
		if err != nil {
			t.Fatal(err)
		}
		return actor
	}
	alice, bob := follower("alice"), follower("bob")

	code, out, errOut := admin("member", "ban", "--group", "lobby", "--actor", alice.IRI, "--reason", "spam", "--remove-posts", "--json")
	var view memberView
	if code != exitOK || json.Unmarshal([]byte(out), &view) != nil || view.Actor != alice.IRI || view.Group != "lobby" {
		t.Fatalf("ban: exit %d: %s %s", code, out, errOut)
	}
	if banned, err := st.IsBanned(ctx, group.ID, alice.ID); err != nil {
		t.Fatal(err)
	} else if !banned {
		t.Error("not banned")
	}
	var blocks int64
	if err := st.DB().Model(&model.OutboundActivity{}).Where("activity_type = ?", "Block").Count(&blocks).Error; err != nil || blocks != 1 {
		t.Errorf("Blocks queued: %d (%v)", blocks, err)
	}
	if code, _, errOut := admin("member", "unban", "--group", "lobby", "--actor", alice.IRI, "--reason", "appeal"); code != exitOK {
		t.Fatalf("unban: exit %d: %s", code, errOut)
	}
	if code, _, errOut := admin("member", "remove", "--group", "lobby", "--actor", bob.IRI); code != exitOK {
		t.Fatalf("remove: exit %d: %s", code, errOut)
	}
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"member", "ban", "--group", "lobby", "--actor", bob.IRI}, exitUsage},
		{[]string{"member", "ban", "--group", "lobby", "--reason", "x"}, exitUsage},
		{[]string{"member", "ban", "--group", "nowhere", "--actor", bob.IRI, "--reason", "x"}, exitNotFound},
		{[]string{"member", "ban", "--group", "lobby", "--actor", "https://nowhere.example/users/x", "--reason", "x"}, exitNotFound},
		{[]string{"member", "unban", "--group", "lobby", "--actor", alice.IRI}, exitNotFound},
		{[]string{"member", "remove", "--group", "lobby", "--actor", bob.IRI}, exitNotFound},
	} {
		if code, _, errOut := admin(tc.args...); code != tc.code {
			t.Errorf("%v: exit %d (%s), want %d", tc.args, code, errOut, tc.code)
		}
	}
	log, err := st.ModerationLog(ctx, store.ModerationLogFilter{GroupID: group.ID})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[model.LogAction]bool{}
	for _, entry := range log {
		seen[entry.Action] = true
		if entry.StaffAccountID != nil {
			t.Errorf("%s logged with staff %s; the command line acts as Kring", entry.Action, *entry.StaffAccountID)
		}
	}
	for _, action := range []model.LogAction{model.ActionMemberBan, model.ActionMemberUnban, model.ActionMemberRemove} {
		if !seen[action] {
			t.Errorf("%s not logged", action)
		}
	}
}
