package e2e

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// requireReview has the organisation's admin require review of drafted posts.
func requireReview(b *browser) {
	b.t.Helper()
	b.open("/admin/drafts")
	b.expect("h1", "Drafts and scheduled posts")
	b.click(`//button[normalize-space()="Require review"]`)
	b.expect(".notice", "now requires review")
}

// submitForReview has the group's moderator write a post, which the organisation requires a second
// staff member to approve: her button submits it for review, and her draft's page offers her no
// approval of her own. It returns the post's text.
func submitForReview(t *testing.T, b *browser) string {
	t.Helper()
	const text = "The laundry room reopens on Monday: new machines, same rota."
	b.open("/admin/groups/tenants/compose")
	b.expect("main", "This organisation requires review")
	b.fill(map[string]string{`textarea[name="text"]`: text})
	b.click(`//button[normalize-space()="Submit for review"]`)
	b.expect(".notice", "Submitted for review")
	b.expect(".badge", "waiting for review")
	b.expect(".log", "submitted it for review")
	if strings.Contains(b.text("main"), "Approve") {
		t.Fatalf("the author is offered to approve her own draft")
	}
	return text
}

// approveDraft has the organisation's admin find the moderator's draft waiting for her review,
// comment, and approve it; bob's server had nothing of it before and receives the group's Create
// after.
func approveDraft(t *testing.T, b *browser, peer *fedify, group, text string) {
	t.Helper()
	if n := peer.creates(t, "bob", group, text); n != 0 {
		t.Fatalf("the post waiting for review reached bob's server %d times before its approval", n)
	}
	b.open("/admin/drafts")
	b.expect(`//section[h2[normalize-space()="Waiting for your review"]]`, "The laundry room reopens")
	b.screenshot("drafts")
	b.click(`//a[contains(., "The laundry room reopens")]`)
	b.submit(map[string]string{`//form[contains(@action, "/comment")]//textarea`: "Can we say which machines?"}, `//button[normalize-space()="Add comment"]`)
	b.expect(".notice", "Comment added")
	b.expect(".log", "Can we say which machines?")
	b.screenshot("review")
	b.submit(map[string]string{`//form[contains(@action, "/approve")]//textarea`: "Fine as it is."}, `//button[normalize-space()="Approve and publish"]`)
	b.expect(".notice", "Approved")
	b.expect(".log", "approved")
	peer.awaitCreateSaying(t, "bob", group, text, 30*time.Second)
}

// stopRequiringReview lets the organisation's staff publish directly again.
func stopRequiringReview(b *browser) {
	b.t.Helper()
	b.open("/admin/drafts")
	b.click(`//button[normalize-space()="Stop requiring review"]`)
	b.expect(".notice", "no longer requires review")
}

// startCampaign has the organisation's admin start a campaign with a hashtag.
func startCampaign(b *browser) {
	b.t.Helper()
	b.open("/admin/organisations/acme/campaigns/new")
	b.fill(map[string]string{`input[name="name"]`: "Budget vote", `input[name="hashtag"]`: "Budget2027",
		`textarea[name="description"]`: "Everything about the 2027 budget, until the vote."})
	b.click(`//button[normalize-space()="Create the campaign"]`)
	b.expect("main", "Budget vote", "#Budget2027")
}

// schedulePost has the organisation's admin schedule a post of the campaign as the group two
// minutes ahead, in Amsterdam's time; then the worker is killed as a crash would, and another
// started. It returns the post's text; the test checks at its end that it went out once, with the
// campaign's hashtag.
func schedulePost(t *testing.T, k *kring, b *browser) string {
	t.Helper()
	const text = "Reminder: the general assembly votes on the budget tonight."
	amsterdam, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	// Whole minutes, as the form takes them: at least two minutes ahead.
	at := time.Now().In(amsterdam).Add(2*time.Minute + time.Minute - time.Nanosecond).Truncate(time.Minute)
	b.open("/admin/groups/tenants/compose")
	campaign := b.attribute(`//select[@name="campaign_id"]/option[contains(., "Budget vote")]`, "value")
	b.fill(map[string]string{`textarea[name="text"]`: text, `input[name="publish_at"]`: at.Format("2006-01-02T15:04"),
		`select[name="zone"]`: "Europe/Amsterdam", `select[name="campaign_id"]`: campaign})
	b.click(`//button[normalize-space()="Schedule"]`)
	b.expect(".notice", "Scheduled")
	b.expect(".badge", "scheduled")
	b.expect("main", at.Format("15:04 MST"), "(Europe/Amsterdam)")
	b.screenshot("draft-scheduled")
	k.killWorker(t)
	return text
}

// seeCalendar has the organisation's admin look at the month and the week in Amsterdam's time: the
// campaign's post is on today's date, with the campaign's hashtag, among what else went out.
func seeCalendar(b *browser) {
	b.t.Helper()
	b.open("/admin/organisations/acme/calendar?zone=Europe/Amsterdam")
	b.expect("main", "Reminder: the general assembly", "#Budget2027", "The laundry room reopens")
	b.screenshot("calendar")
	b.open("/admin/organisations/acme/calendar?view=week&zone=Europe/Amsterdam")
	b.expect("main", "Reminder: the general assembly")
	b.screenshot("calendar-week")
	b.screenshotAsPhone("calendar-phone")
}

// awaitCreateSaying waits until user has received the Create of a public post by actor (a group)
// saying text.
func (f *fedify) awaitCreateSaying(t *testing.T, user, from, text string, within time.Duration) received {
	t.Helper()
	var seen []received
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		f.control(t, "/control/received", url.Values{"actor": {user}}, &seen)
		for _, r := range seen {
			if isPublicCreateSaying(r, from, text) {
				return r
			}
		}
	}
	t.Fatalf("%s received no Create from %s saying %q within %s", user, from, text, within)
	return received{}
}

// creates counts the Creates of public posts by actor (a group) saying text that user received.
func (f *fedify) creates(t *testing.T, user, from, text string) int {
	t.Helper()
	var seen []received
	f.control(t, "/control/received", url.Values{"actor": {user}}, &seen)
	n := 0
	for _, r := range seen {
		if isPublicCreateSaying(r, from, text) {
			n++
		}
	}
	return n
}

func isPublicCreateSaying(r received, from, text string) bool {
	return r.Type == "Create" && r.Actor == from && slices.Contains(r.To, "https://www.w3.org/ns/activitystreams#Public") &&
		strings.Contains(r.Content, text)
}
