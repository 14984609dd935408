package e2e

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// A moderator's day in the web admin, in headless Chromium against the real Kring: members of
// another server (the Fedify peer) ask to join a pre-moderated group and post to it, and the staff
// admin logs in, answers them and keeps the place healthy. Every step is checked in the page the
// browser shows; the federation side (Accept, Announce, Reject) is checked at the peer.
func TestModeratorWorksThroughTheAdmin(t *testing.T) {
	peerReady, browserReady := startFedify(t), startBrowser(t)
	k := startKring(t)
	peer := peerReady()
	group := k.base + "/groups/tenants"
	for _, user := range []string{"alice", "bob"} {
		peer.follow(t, user, group)
	}
	k.awaitFollows(t, "tenants", "pending", 2)

	b := browserReady(k.base)
	logIn(t, b)

	b.open("/admin")
	b.expect("h1", "Dashboard")
	b.expect(`//section[.//a[normalize-space()="Tenants' Desk"]]`, "acme · tenants")
	if got := b.text(dashboardFigure("Follow requests")); got != "2" {
		t.Fatalf("the dashboard shows %q follow requests, want 2", got)
	}
	b.screenshot("dashboard")

	changePassword(t, b)

	// Until the members page does it, the operator's command answers the requests.
	for _, user := range []string{"alice", "bob"} {
		k.admin(t, "follow", "approve", "--group", "tenants", "--actor", peer.actor(user))
	}
	handleQueue(t, b, peer, group)
}

// handleQueue has alice post twice to the pre-moderated group; in the queue the moderator approves
// the first (bob gets the group's Announce of it) and declines the second with a reason (alice gets
// a Reject of her Create carrying it).
func handleQueue(t *testing.T, b *browser, peer *fedify, group string) {
	t.Helper()
	welcome := peer.post(t, "alice", group, "The heating in block C is out again, who else?")
	spam := peer.post(t, "alice", group, "Cheap watches, follow the link")
	b.awaitText("/admin/groups/tenants/queue", "main", "Cheap watches")
	b.expect("main", "The heating in block C")
	b.screenshot("queue")

	b.submit(nil, queueRow("heating")+`//button[normalize-space()="Approve"]`)
	b.expect(".notice", "Approved")
	peer.awaitActivity(t, "bob", "Announce", welcome.Note)

	b.submit(map[string]string{queueRow("Cheap watches") + `//input[@name="reason"]`: "No advertising, please."},
		queueRow("Cheap watches")+`//button[normalize-space()="Decline"]`)
	b.expect(".notice", "Declined")
	b.expect("main", "No posts are waiting")
	peer.awaitActivity(t, "alice", "Reject", spam.Create)
}

// queueRow selects the queue's row of the post whose text contains text.
func queueRow(text string) string { return `//tr[td[contains(., "` + text + `")]]` }

// logIn is refused with a wrong password, then logs in as the staff admin.
func logIn(t *testing.T, b *browser) {
	t.Helper()
	// The admin sends a browser without a session to the login page.
	b.open("/admin")
	b.expect("h1", "Log in")
	b.screenshot("login")

	b.submitExpecting(http.StatusUnauthorized, map[string]string{
		`input[name="email"]`: staffEmail, `input[name="password"]`: "not the password",
	}, `//button[normalize-space()="Log in"]`)
	b.expect(`[role="alert"]`)
	b.screenshot("login-refused")

	b.submit(map[string]string{
		`input[name="email"]`: staffEmail, `input[name="password"]`: staffPassword,
	}, `//button[normalize-space()="Log in"]`)
	b.expect("header.top", "Ada", "Log out")
}

// changePassword changes the staff admin's password, logs out and logs in again with the new one.
func changePassword(t *testing.T, b *browser) {
	t.Helper()
	const newPassword = "a longer password for Ada"
	b.open("/admin/password")
	b.expect("h1", "Change password")
	b.screenshot("password")
	b.submit(map[string]string{
		`input[name="current_password"]`: staffPassword,
		`input[name="new_password"]`:     newPassword,
		`input[name="confirm_password"]`: newPassword,
	}, `//button[normalize-space()="Change password"]`)
	b.expect(".notice", "Password changed")

	b.submit(nil, `//button[normalize-space()="Log out"]`)
	b.expect("h1", "Log in")
	b.submit(map[string]string{
		`input[name="email"]`: staffEmail, `input[name="password"]`: newPassword,
	}, `//button[normalize-space()="Log in"]`)
	b.expect("h1", "Dashboard")
}

// dashboardFigure selects the number the dashboard shows next to a label.
func dashboardFigure(label string) string {
	return `//dt[normalize-space()="` + label + `"]/following-sibling::dd[1]`
}

// awaitFollows waits until the group has n follows in that state, as `kring admin follow list` shows.
func (k *kring) awaitFollows(t *testing.T, group, state string, n int) {
	t.Helper()
	var follows []struct{ Actor string }
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		out := k.admin(t, "follow", "list", "--group", group, "--state", state, "--json")
		if err := json.Unmarshal([]byte(out), &follows); err != nil {
			t.Fatalf("follow list printed %q: %v", out, err)
		}
		if len(follows) == n {
			return
		}
	}
	t.Fatalf("%s has %d %s follows after 30 s, want %d: %+v", group, len(follows), state, n, follows)
}
