package e2e

import (
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// A moderator's day in the web admin, in headless Chromium against the real Kring: members of
// another server (the Fedify peer) ask to join a pre-moderated group and post to it. The
// organisation's admin adds a moderator for the group; the moderator logs in with the password Kring
// showed once, answers the members and keeps the place healthy, and is refused the organisation's
// pages; the admin then edits the group, blocks a domain and finds every decision in the log. Every
// step is checked in the page the browser shows; what federates (Accept, Update, Announce, Reject,
// Flag, Block, Undo) is checked at the peer.
func TestModeratorWorksThroughTheAdmin(t *testing.T) {
	t.Parallel()
	peerReady, browserReady := startFedify(t), startBrowser(t)
	k := startKring(t)
	peer := peerReady()
	group := k.base + "/groups/tenants"
	follows := map[string]string{}
	for _, user := range []string{"alice", "bob"} {
		follows[user] = peer.follow(t, user, group)
	}
	k.awaitFollows(t, "tenants", "pending", 2)

	b := browserReady(k.base)
	logInRefusedThenAccepted(t, b)
	b.open("/admin")
	b.expect("h1", "Dashboard")
	b.expect(`//section[.//a[normalize-space()="Tenants' Desk"]]`, "acme · tenants")
	b.expectFact("Follow requests", "2")
	b.screenshot("dashboard")
	staffPassword := changePassword(t, b)
	moderatorPassword := addModerator(t, b)
	startCampaign(b)
	scheduled := schedulePost(t, k, b) // goes out while the moderator works
	requireReview(b)
	logOut(b)

	logIn(b, moderatorEmail, moderatorPassword)
	b.expect("header.top", "Grace")
	refusedToModerator(b)
	editWelcome(b)
	answerFollowRequests(t, b, peer, group, follows)
	answerSupportMessage(t, b, peer, group)
	introduceMember(t, b, peer, group)
	seeWhoNeedsAttention(b)
	reviewed := submitForReview(t, b)
	event := publishEvent(t, b, peer)
	answerEvent(t, k, b, peer, group, event)
	reminded := remindSoon(t, b, peer, group)
	welcome := handleQueue(t, b, peer, group)
	resolveReport(t, k, b, peer, group, welcome)
	banMember(t, b, peer, welcome)
	chooseDigest(b)
	logOut(b)
	resetPassword(t, k, b)
	// The reminder was due a minute after it was scheduled: by now it has gone out, once.
	peer.awaitDirectMessageWithin(t, "bob", group, "Reminder: <strong>"+reminded+"</strong>", 90*time.Second)

	logIn(b, staffEmail, staffPassword)
	manageGroup(t, b, peer, group)
	approveDraft(t, b, peer, group, reviewed)
	stopRequiringReview(b)
	written, writtenIRI := writeAsGroup(t, b, peer, group)
	checkBeingFound(t, k, b, "Rent increase", written)
	seeCalendar(b)
	carolsNote := engageWithGroupPost(t, peer, group, writtenIRI)
	seeAnalytics(t, k, b)
	answerMention(t, b, peer, group, carolsNote)
	seeOrganisationAnalytics(b)
	blockDomain(t, b)
	readLog(t, b)

	if n := peer.directMessages(t, "bob", group, "Reminder: <strong>Stairwell clean-up</strong>"); n != 1 {
		t.Errorf("bob was reminded of the clean-up %d times, want once", n)
	}
	// The scheduled post was due two minutes after it was scheduled, the worker killed in between.
	if got := peer.awaitCreateSaying(t, "bob", group, scheduled, 4*time.Minute); !strings.Contains(got.Content, "Budget2027") {
		t.Errorf("the campaign's scheduled post reached bob without its hashtag: %s", got.Content)
	}
	if n := peer.creates(t, "bob", group, scheduled); n != 1 {
		t.Errorf("bob's server received the scheduled post %d times, want once", n)
	}

	b.open("/admin")
	b.expectFact("Members", "1")
	b.expectFact("Follow requests", "0")
	b.expectFact("Posts waiting", "0")
	b.expectFact("Open reports", "0")
	logOut(b)

	logIn(b, rootEmail, rootPassword)
	createOrganisation(t, b)
}

// createOrganisation has the instance's admin create a second organisation, which sends her to its
// staff page to add its owner; the list then shows both.
func createOrganisation(t *testing.T, b *browser) {
	t.Helper()
	b.open("/admin/organisations")
	b.expect("h1", "Organisations")
	b.submit(map[string]string{`input[name="slug"]`: "union", `input[name="name"]`: "Tenants' Union"},
		`//button[normalize-space()="Create organisation"]`)
	b.expect(".notice", "Organisation Tenants' Union created")
	b.expect("h1", "Staff of Tenants' Union")
	b.open("/admin/organisations")
	b.expect("main", "Acme Housing Co-op", "Tenants' Union")
	b.screenshot("organisations")
}

// The moderator the organisation's admin adds for the tenants' group.
const moderatorEmail = "grace@acme.example"

// logInRefusedThenAccepted is refused with a wrong password, then logs in as the staff admin.
func logInRefusedThenAccepted(t *testing.T, b *browser) {
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

	logIn(b, staffEmail, staffPassword)
	b.expect("header.top", "Ada", "Log out")
}

// logIn logs in from the login page the browser is on, or is sent to.
func logIn(b *browser, email, password string) {
	b.t.Helper()
	b.open("/admin/login")
	b.submit(map[string]string{
		`input[name="email"]`: email, `input[name="password"]`: password,
	}, `//button[normalize-space()="Log in"]`)
	b.expect("h1", "Dashboard")
}

// logOut logs out with the header's button and lands on the login page.
func logOut(b *browser) {
	b.t.Helper()
	b.click(`//button[normalize-space()="Log out"]`)
	b.expect("h1", "Log in")
}

// changePassword changes the staff admin's password, logs out and logs in again with the new one,
// which it returns.
func changePassword(t *testing.T, b *browser) string {
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

	logOut(b)
	logIn(b, staffEmail, newPassword)
	return newPassword
}

// addModerator adds Grace as a moderator on the staff page, reads the password Kring shows once, and
// assigns her to the tenants' group on its page. It returns her password.
func addModerator(t *testing.T, b *browser) string {
	t.Helper()
	b.open("/admin/staff")
	b.expect("h1", "Staff of")
	b.submit(map[string]string{
		`form[action="/admin/staff"] input[name="email"]`:        moderatorEmail,
		`form[action="/admin/staff"] input[name="display_name"]`: "Grace",
	}, `//button[normalize-space()="Add"]`)
	b.expect("main", "was created")
	password := strings.TrimSpace(b.text("code.secret"))
	if len(password) < 12 {
		t.Fatalf("the new moderator's password shown is %q", password)
	}

	b.open("/admin/groups/tenants")
	b.click(`//button[normalize-space()="Assign moderator"]`)
	b.expect(".notice")
	b.expect(`//h2[@id="moderators"]/following-sibling::ul[1]`, moderatorEmail)
	b.open("/admin/staff")
	b.expect(row(moderatorEmail), "moderator", "tenants")
	b.screenshot("staff")
	return password
}

// refusedToModerator checks the moderator's dashboard shows her group and the organisation's pages
// (staff, domain blocks) are refused to her.
func refusedToModerator(b *browser) {
	b.t.Helper()
	b.expect(`//section[.//a[normalize-space()="Tenants' Desk"]]`, "acme · tenants")
	if nav := b.text(`nav[aria-label="Main"]`); strings.Contains(nav, "Staff") || strings.Contains(nav, "Domain blocks") {
		b.t.Fatalf("a moderator is offered pages she would be refused: %q", nav)
	}
	for _, path := range []string{"/admin/staff", "/admin/domain-blocks"} {
		b.openExpecting(path, http.StatusForbidden)
	}
}

// editWelcome writes the group's welcome message, previews it as a new member will read it, and
// saves it.
func editWelcome(b *browser) {
	b.open("/admin/groups/tenants/welcome")
	b.expect("h1", "Welcome message of Tenants' Desk")
	b.expect(".preview", "Welcome to Tenants' Desk, Alex!")
	b.fill(map[string]string{`textarea[name="text"]`: "Hello {name}, and welcome to {group}!\n\nSay hello in the introductions thread, " +
		"and read the rules first: {rules}"})
	b.click(`//button[normalize-space()="Preview"]`)
	b.expect(".preview", "Hello Alex, and welcome to Tenants' Desk!", "Say hello in the introductions thread")
	b.screenshot("welcome")
	b.click(`//button[normalize-space()="Save"]`)
	b.expect(".notice", "Welcome saved")
}

// answerFollowRequests approves alice's and bob's requests on the members page; each gets the
// group's Accept of their Follow, then its welcome as a direct message.
func answerFollowRequests(t *testing.T, b *browser, peer *fedify, group string, follows map[string]string) {
	t.Helper()
	b.open("/admin/groups/tenants/members?state=pending")
	b.expect("main", "@alice@", "@bob@")
	b.screenshot("members-pending")
	for _, user := range []string{"alice", "bob"} {
		b.click(row("@"+user+"@") + `//button[normalize-space()="Approve"]`)
		b.expect(".notice")
		peer.awaitActivity(t, user, "Accept", follows[user])
		peer.awaitDirectMessage(t, user, group, "Say hello in the introductions thread")
	}
	b.expect("main", "No follow requests are waiting")
	b.open("/admin/groups/tenants/members?state=accepted")
	b.expect("main", "@alice@", "@bob@")
	b.screenshot("members")
}

// manageGroup edits the group's summary and rules (its member's server gets an Update of the group)
// and gives it an avatar, uploaded from a picture made here.
func manageGroup(t *testing.T, b *browser, peer *fedify, group string) {
	t.Helper()
	b.open("/admin/groups")
	b.expect("main", "Tenants' Desk")
	b.screenshot("groups")

	b.click(`//main//a[normalize-space()="Tenants' Desk"]`)
	b.expect("h1", "Tenants' Desk")
	b.submit(map[string]string{
		`textarea[name="summary"]`: "Tenants of Acme's blocks A to D: repairs, rent, meetings.",
		`textarea[name="rules"]`:   "Be kind. No advertising. Leave out flat numbers and names.",
	}, `//button[normalize-space()="Save settings"]`)
	b.expect(".notice", "Settings saved")
	peer.awaitActivity(t, "bob", "Update", group)

	avatar := filepath.Join(t.TempDir(), "avatar.png")
	writeTestPicture(t, avatar)
	b.upload(`//section[@aria-labelledby="picture-avatar"]//input[@name="picture"]`, avatar)
	b.click(`//button[normalize-space()="Upload avatar"]`)
	b.expect(".notice")
	b.expect(`img.picture-avatar`)
	b.screenshot("group")

	// The group's public page, as a visitor opening its address sees it, shows the avatar and the
	// new summary; not alice's post, removed with her ban.
	b.open("/groups/tenants")
	b.expect("h1", "Tenants' Desk")
	b.expect("main", "Tenants of Acme's blocks A to D", "1 member")
	if got := b.text("main"); strings.Contains(got, "The heating in block C") {
		t.Fatalf("the public page still shows the banned member's removed post:\n%s", got)
	}
	b.expect(`img.avatar`)
	b.screenshot("group-public")
}

// writeTestPicture writes a 600x450 PNG of two colours: larger than an avatar and not square, so Kring
// must scale and crop it.
func writeTestPicture(t *testing.T, path string) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 600, 450))
	for y := range 450 {
		for x := range 600 {
			c := color.RGBA{R: 0x2b, G: 0x59, B: 0xc3, A: 0xff}
			if (x/75+y/75)%2 == 0 {
				c = color.RGBA{R: 0xf5, G: 0xc2, B: 0x42, A: 0xff}
			}
			img.Set(x, y, c)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// answerSupportMessage saves a reply for common questions, then finds alice's direct message to the
// group in the support inbox, answers it from the saved reply (her server receives the answer as a
// direct message from the group, in reply to her message), adds a note for staff, sees her answer
// land in the same conversation, and closes it.
func answerSupportMessage(t *testing.T, b *browser, peer *fedify, group string) {
	t.Helper()
	b.open("/admin/groups/tenants/saved-replies")
	b.submit(map[string]string{`input[name="title"]`: "Repairs",
		`textarea[name="body"]`: "Hi {name}, put the repair request to your landlord in writing and keep a copy; {group} can help you write it."},
		`//button[normalize-space()="Save"]`)
	b.expect(".notice", "Saved reply")
	b.screenshot("saved-replies")

	question := peer.message(t, "alice", group, "My landlord ignores my repair request for the boiler. What can I do?", "")
	b.awaitText("/admin/groups/tenants/support", "main", "My landlord ignores my repair request")
	b.expect(`nav[aria-label="Conversations"]`, "To answer (1)")
	b.screenshot("support-inbox")
	b.click(row("My landlord ignores") + `//a[contains(., "My landlord")]`)
	b.expect("h1", "Conversation with alice")
	b.expect(".message-member", "What can I do?")
	b.expect(fact("Member"), "since")

	conversation := b.path()
	b.click(`//button[normalize-space()="Use"]`) // the only saved reply, chosen already
	b.expectValue(`textarea[name="text"]`, "Hi alice, put the repair request to your landlord in writing")
	b.click(`//button[normalize-space()="Send the reply"]`)
	b.expect(".notice", "Reply sent")
	reply := peer.awaitDirectMessage(t, "alice", group, "put the repair request to your landlord in writing")
	if reply.InReplyTo != question.Note {
		t.Fatalf("the reply answers %q, want her message %s", reply.InReplyTo, question.Note)
	}
	b.submit(map[string]string{`textarea[name="note"]`: "Second boiler complaint from block C this month."},
		`//button[normalize-space()="Add the note"]`)
	b.expect(".message-note", "Second boiler complaint")

	// Her answer to the reply lands in the same conversation, which needs an answer again.
	peer.message(t, "alice", group, "Thank you, I will send the letter tomorrow.", reply.Object)
	b.awaitText(conversation, "main", "I will send the letter tomorrow")
	b.expect(fact("Status"), "open")
	b.screenshot("support-conversation")
	b.screenshotAsPhone("support-conversation-phone")
	b.submit(map[string]string{`select[name="status"]`: "closed"}, `//button[normalize-space()="Set"]`)
	b.expect(fact("Status"), "closed")
}

// introduceMember starts the group's introductions thread: the followers' servers receive the pinned
// prompt, alice introduces herself by replying to it (the group is pre-moderated, so her reply waits
// in the queue first), the moderator finds her introduction listed and highlights it, and bob's server
// receives the group's Announce of her reply.
func introduceMember(t *testing.T, b *browser, peer *fedify, group string) {
	t.Helper()
	b.open("/admin/groups/tenants/introductions")
	b.expectValue("textarea[name=\"text\"]", "Introduce yourself to {group}")
	b.click(`//button[normalize-space()="Start introductions"]`)
	b.expect(".notice", "Introductions prompt published")
	b.expect(".post-content", "Introduce yourself to Tenants' Desk")
	b.expect("main", "Nobody has introduced themselves yet")
	prompt := b.attribute(`//a[normalize-space()="The post"]`, "href")
	peer.awaitActivity(t, "alice", "Create", prompt)

	intro := peer.reply(t, "alice", group, "Hello, I am Alice from flat 4B and I can help neighbours write letters.", prompt)
	b.awaitText("/admin/groups/tenants/queue", "main", "I am Alice from flat 4B")
	b.click(row("I am Alice from flat 4B") + `//button[normalize-space()="Approve"]`)
	b.expect(".notice", "Approved")

	b.open("/admin/groups/tenants/introductions")
	b.expect(row("I am Alice from flat 4B"), "@alice@127.0.0.1")
	b.screenshot("introductions")
	b.click(row("I am Alice from flat 4B") + `//button[normalize-space()="Highlight"]`)
	b.expect(".notice", "Introduction highlighted")
	b.expect(row("I am Alice from flat 4B"), "highlighted")
	peer.awaitActivity(t, "bob", "Announce", intro.Note)
	b.screenshotAsPhone("introductions-phone")
}

// seeWhoNeedsAttention finds alice among the week's newcomers, welcomed and introduced, and opens
// her member page: her reply, her support conversation and her first-seen date are there.
func seeWhoNeedsAttention(b *browser) {
	b.open("/admin/groups/tenants/attention")
	b.expect(row("@alice@127.0.0.1"), "yes", "accepted")
	b.screenshot("attention")
	b.click(row("@alice@127.0.0.1") + `//a`)
	b.expect("h1", "alice in Tenants' Desk")
	b.expectFact("Replies", "1")
	b.expectFact("Support conversations", "1")
	b.expect(fact("Introduced"), "2026")
	b.screenshot("member")
}

// chooseDigest has the moderator take her e-mail notifications as a daily digest instead of one
// e-mail each.
func chooseDigest(b *browser) {
	b.click(`//a[normalize-space()="E-mail notifications"]`)
	b.expect("h1", "E-mail notifications")
	b.expect("main", moderatorEmail)
	b.screenshot("notifications")
	b.tick(`input[name="mode"][value="digest"]`)
	b.click(`//button[normalize-space()="Save"]`)
	b.expect(".notice", "E-mail notifications saved")
}

// resetPassword has the logged-out moderator ask for a new password: the e-mail reaches the SMTP
// server, its link opens the form, the new password logs her in, and the link is used up.
func resetPassword(t *testing.T, k *kring, b *browser) {
	t.Helper()
	b.click(`//a[normalize-space()="Forgot your password?"]`)
	b.expect("h1", "Forgot your password?")
	b.submit(map[string]string{`input[name="email"]`: moderatorEmail}, `//button[normalize-space()="Send me a link"]`)
	b.expect(`[role="status"]`, "an e-mail with a link")
	b.screenshot("password-reset-request")
	link := k.awaitMail(t, moderatorEmail, "Reset your password")
	b.open(link)
	b.expect("h1", "Choose a new password")
	b.screenshot("password-reset")
	const newPassword = "a new password for Grace, chosen by e-mail"
	b.submit(map[string]string{`input[name="new_password"]`: newPassword, `input[name="confirm_password"]`: newPassword},
		`//button[normalize-space()="Set password"]`)
	b.expect(".notice", "Password changed")
	b.openExpecting(link, http.StatusGone)
	b.expect("h1", "Password reset link expired")
	b.screenshot("password-reset-used")
	logIn(b, moderatorEmail, newPassword)
	logOut(b)
}

// publishEvent has the moderator publish an event from the admin's form, in Amsterdam's time: the
// members' server receives the group's Create of an Event that Fedify reads with its name, start and
// end as instants, place and link, and a content leading with the date, time with zone and place.
func publishEvent(t *testing.T, b *browser, peer *fedify) string {
	t.Helper()
	day := time.Now().AddDate(0, 0, 10)
	if day.Month() >= time.April && day.Month() <= time.October {
		day = day.AddDate(0, 6, 0) // a winter date: Amsterdam is UTC+1
	}
	b.open("/admin/groups/tenants/events")
	b.expect("main", "No upcoming events")
	b.click(`//a[normalize-space()="New event"]`)
	b.expect("h1", "New event in Tenants' Desk")
	b.fill(map[string]string{`input[name="title"]`: "Tenants' assembly", `textarea[name="description"]`: "Heating, repairs, and soup.",
		`input[name="time_zone"]`: "Europe/Amsterdam", `input[name="place_name"]`: "Community centre",
		`input[name="place_address"]`: "Main Street 1, Utrecht", `input[name="capacity"]`: "1"})
	b.fill(map[string]string{`input[name="start_date"]`: day.Format(time.DateOnly), `input[name="start_time"]`: "19:30",
		`input[name="end_time"]`: "22:00"})
	b.screenshot("event-form")
	b.click(`//button[normalize-space()="Publish the event"]`)
	b.expect(".notice", "Event published")
	b.expect(fact("When"), "19:30–22:00 CET (Europe/Amsterdam)")
	b.screenshot("event")
	event := b.attribute(`//a[normalize-space()="Public page"]`, "href")

	got := peer.awaitActivity(t, "alice", "Create", event)
	start := time.Date(day.Year(), day.Month(), day.Day(), 18, 30, 0, 0, time.UTC).Format(time.RFC3339)
	end := time.Date(day.Year(), day.Month(), day.Day(), 21, 0, 0, 0, time.UTC).Format(time.RFC3339)
	if got.Event == nil || got.Event.Name != "Tenants' assembly" || got.Event.StartTime != start || got.Event.EndTime != end ||
		got.Event.Location != "Community centre" || got.Event.URL != event {
		t.Fatalf("alice's server read the event as %+v, want it starting %s and ending %s at the Community centre", got.Event, start, end)
	}
	if !strings.HasPrefix(got.Content, "<p>📅 "+day.Format("Monday 2 January 2006")+", 19:30–22:00 CET (Europe/Amsterdam)<br>📍 Community centre") {
		t.Fatalf("the Event's content %q does not lead with when and where", got.Content)
	}
	b.open("/admin/groups/tenants/events")
	b.expect(row("Tenants' assembly"), "0 of 1")
	b.screenshot("events")
	return event
}

// answerEvent has the members answer the event from their own apps: alice joins from an
// event-aware app and gets the Accept of her Join (the one place); bob votes Going in the group's
// poll, as Mastodon does, lands on the waiting list and is told so, and the poll's Update counts both.
// The admin shows them, the public page reads well, and the group's calendar, read by an independent
// iCalendar parser, has the event at 19:30 in Amsterdam.
func answerEvent(t *testing.T, k *kring, b *browser, peer *fedify, group, event string) {
	t.Helper()
	b.click(row("Tenants' assembly") + `//a`)
	poll := b.attribute(`//a[normalize-space()="The group's RSVP poll"]`, "href")
	admin := b.path()
	peer.awaitActivity(t, "bob", "Create", poll)

	join := peer.join(t, "alice", group, event, "I will bring soup.")
	peer.awaitActivity(t, "alice", "Accept", join)
	peer.vote(t, "bob", group, poll, "Going")
	peer.awaitDirectMessage(t, "bob", group, "you are on its waiting list")
	peer.awaitPoll(t, "bob", poll, map[string]int{"Going": 2, "Maybe": 0, "Can't come": 0})

	b.open(admin)
	b.expect(fact("Places"), "1 going of 1", "1 waiting")
	b.expect(row("@alice@127.0.0.1"), "going", "I will bring soup.")
	b.expect(row("@bob@127.0.0.1"), "waiting", "poll vote")
	b.screenshot("event-participants")

	b.open(strings.TrimPrefix(event, k.base))
	b.expect("h1", "Tenants' assembly")
	b.screenshot("event-public")
	b.screenshotAsPhone("event-public-phone")
	checkCalendar(t, k.base+"/groups/tenants/events.ics", "Tenants' assembly", "Europe/Amsterdam", 19, 30)
}

// remindSoon publishes a second event that starts in about three minutes with a reminder due within
// a minute and a half, and has bob say he is going in its poll; the reminder goes out while the rest
// of the test runs. It returns the event's title.
func remindSoon(t *testing.T, b *browser, peer *fedify, group string) string {
	t.Helper()
	const title = "Stairwell clean-up"
	// Times and reminders are whole minutes: the reminder is due at the first whole minute at least
	// 25 s from now (time for bob's vote), the event two minutes later.
	due := time.Now().UTC().Add(25 * time.Second).Add(time.Minute - time.Nanosecond).Truncate(time.Minute)
	start := due.Add(2 * time.Minute)
	b.open("/admin/groups/tenants/events/new")
	b.fill(map[string]string{`input[name="title"]`: title, `input[name="time_zone"]`: "UTC", `input[name="place_name"]`: "Block C",
		`input[name="start_date"]`: start.Format(time.DateOnly), `input[name="start_time"]`: start.Format("15:04"),
		`input[name="reminders"]`: "2m"})
	b.click(`//button[normalize-space()="Publish the event"]`)
	b.expect(".notice", "Event published")
	poll := b.attribute(`//a[normalize-space()="The group's RSVP poll"]`, "href")
	peer.awaitActivity(t, "bob", "Create", poll)
	peer.vote(t, "bob", group, poll, "Going")
	peer.awaitPoll(t, "bob", poll, map[string]int{"Going": 1})
	return title
}

// writeAsGroup has the organisation's admin write a post as the group as a Mastodon user writes a
// status: a content warning, a hashtag, a mention of carol (on the peer, following nothing), a
// picture with alt text, in Dutch; she previews it, then publishes it. Bob's server receives the
// group's Create with the Hashtag and Mention tags, the attachment and its alt text, marked
// sensitive; carol is sent it too, so her server notifies her. It returns the post's first words and
// its id.
func writeAsGroup(t *testing.T, b *browser, peer *fedify, group string) (text, postIRI string) {
	t.Helper()
	const alt = "The rent increase letter from Acme, dated 1 December, with the new amounts highlighted."
	carol := "@carol@" + strings.TrimPrefix(peer.base, "http://")
	picture := filepath.Join(t.TempDir(), "letter.png")
	writeTestPicture(t, picture)
	b.open("/admin/groups/tenants/compose")
	b.expect("h1", "Write as Tenants' Desk")
	b.fill(map[string]string{`input[name="summary"]`: "Rent increase",
		`textarea[name="text"]`:  "The rent committee meets on Monday at 19:00. #RentCommittee\n\nBring your letters from Acme, " + carol + ".",
		`textarea[name="alt_1"]`: alt, `select[name="language"]`: "nl"})
	b.upload(`input[name="file_1"]`, picture)
	b.click(`//button[normalize-space()="Preview"]`)
	b.expect(".preview", "Preview: how Mastodon shows it", "Rent increase")
	b.tick(".preview summary") // open the content warning, as a reader would
	b.expect(".preview", "#RentCommittee", "@carol")
	b.screenshot("compose")
	b.click(`//button[normalize-space()="Publish now"]`)
	b.expect(".notice", "Published")
	b.expect(row("The rent committee meets"), "CW: Rent increase")
	b.screenshot("posts-own")
	edit := b.attribute(row("The rent committee meets")+`//a[normalize-space()="Edit"]`, "href")
	id := strings.TrimSuffix(strings.TrimPrefix(edit, "/admin/groups/tenants/posts/"), "/edit")
	got := peer.awaitActivity(t, "bob", "Create", group+"/posts/"+id)
	if !strings.Contains(got.Content, "The rent committee meets on Monday at 19:00.") {
		t.Fatalf("bob's server read the group's post as %q", got.Content)
	}
	if len(got.Hashtags) != 1 || !strings.EqualFold(got.Hashtags[0].Name, "#RentCommittee") || !slices.Contains(got.Mentions, peer.actor("carol")) ||
		len(got.Attachments) != 1 || got.Attachments[0].Name != alt || got.Sensitive == nil || !*got.Sensitive || !slices.Contains(got.Languages, "nl") {
		t.Fatalf("bob's server read the group's post with hashtags %+v, mentions %v, attachments %+v, sensitive %v, languages %v",
			got.Hashtags, got.Mentions, got.Attachments, got.Sensitive, got.Languages)
	}
	if !slices.Contains(got.Cc, peer.actor("carol")) {
		t.Errorf("the post's cc %v does not name carol", got.Cc)
	}
	peer.awaitActivity(t, "carol", "Create", group+"/posts/"+id)
	resp, err := http.Get(got.Attachments[0].URL)
	if err != nil || resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "image/") {
		t.Fatalf("the picture at %s: %v %v", got.Attachments[0].URL, resp, err)
	}
	_ = resp.Body.Close()
	return "The rent committee meets on Monday at 19:00.", group + "/posts/" + id
}

// handleQueue has alice post twice to the pre-moderated group; in the queue the moderator approves
// the first (bob gets the group's Announce of it) and declines the second with a reason (alice gets
// a Reject of her Create carrying it). It returns the approved post.
func handleQueue(t *testing.T, b *browser, peer *fedify, group string) notePosted {
	t.Helper()
	welcome := peer.post(t, "alice", group, "The heating in block C is out again, flat 4B is freezing, who else?")
	spam := peer.post(t, "alice", group, "Cheap watches, follow the link")
	// The worker takes the two posts as two tasks, in either order: the queue shows both once it
	// has each.
	b.awaitText("/admin/groups/tenants/queue", "main", "The heating in block C")
	b.awaitText("/admin/groups/tenants/queue", "main", "Cheap watches")
	b.screenshot("queue")
	b.screenshotAsPhone("queue-phone")

	b.click(row("heating") + `//button[normalize-space()="Approve"]`)
	b.expect(".notice", "Approved")
	peer.awaitActivity(t, "bob", "Announce", welcome.Note)

	b.submit(map[string]string{row("Cheap watches") + `//input[@name="reason"]`: "No advertising, please."},
		row("Cheap watches")+`//button[normalize-space()="Decline"]`)
	b.expect(".notice", "Declined")
	b.expect("main", "No posts are waiting")
	peer.awaitActivity(t, "alice", "Reject", spam.Create)
	return welcome
}

// resolveReport takes a report from bob's server about alice's post (the moderator follows the link
// in the e-mail she is sent) and dismisses it, then files one about the same post (a neighbour asked
// by e-mail), adds a note, forwards it to alice's server and resolves it; the open queue is empty
// again and the resolved one lists it.
func resolveReport(t *testing.T, k *kring, b *browser, peer *fedify, group string, post notePosted) {
	t.Helper()
	peer.flag(t, "bob", group, peer.actor("alice"), "Her neighbour's flat number is in this post.", post.Note)
	b.awaitText("/admin/reports", "main", "from another server")
	b.expect("main", "@alice@", "Her neighbour's flat number")
	// The moderator is told by e-mail, through the SMTP server, with a link straight to the report.
	b.open(k.awaitMail(t, moderatorEmail, "New report in Tenants' Desk"))
	b.expect(fact("Received"), "sent by "+peer.actor("bob"))
	b.expect("main", "The heating in block C")
	b.screenshot("report-received")
	b.submit(map[string]string{`form[action$="/status"] input[name="reason"]`: "The tenant's e-mail report covers it."},
		`//button[@value="dismissed"]`)
	b.expect(fact("Status"), "dismissed")

	b.open("/admin/reports")
	b.expect("main", "No open reports")
	b.submit(map[string]string{
		`form[method="post"][action="/admin/reports"] input[name="account"]`:  peer.actor("alice"),
		`form[method="post"][action="/admin/reports"] textarea[name="posts"]`: post.Note,
		`form[method="post"][action="/admin/reports"] textarea[name="note"]`:  "The tenant of 4B asked by e-mail: her flat number is in this post.",
	}, `//button[normalize-space()="File the report"]`)
	b.expect(".notice", "Report filed")
	b.expectFact("Status", "open")
	b.expect(fact("Account"), "@alice@")
	b.expect("main", "The heating in block C")

	b.submit(map[string]string{`textarea[name="note"]`: "Asked alice to repost without the flat number."},
		`//button[normalize-space()="Add the note"]`)
	b.expect(".notice", "Note added")
	b.expect(".note", "Asked alice to repost")
	b.screenshot("report")

	// Forwarded to alice's server: its moderators get a Flag from Kring's instance actor naming her.
	b.submit(map[string]string{`form[action$="/forward"] textarea[name="comment"]`: "Personal details of a neighbour."},
		`//button[normalize-space()="Forward"]`)
	b.expect(".notice", "Forwarded")
	peer.awaitActivity(t, "", "Flag", peer.actor("alice"))

	b.submit(map[string]string{`form[action$="/status"] input[name="reason"]`: "Handled: see the ban."},
		`//button[@value="resolved"]`)
	b.expect(fact("Status"), "resolved since")

	b.open("/admin/reports")
	b.expect("main", "No open reports")
	b.open("/admin/reports?status=resolved")
	b.expect("main", "@alice@", "flat number")
	b.screenshot("reports")
}

// banMember bans alice from the group with her posts removed: she leaves the members, is listed as
// banned with the reason, and bob's server is told to drop the group's Announce of her post.
func banMember(t *testing.T, b *browser, peer *fedify, post notePosted) {
	t.Helper()
	b.open("/admin/groups/tenants/members?state=accepted")
	b.click(row("@alice@") + `//a[normalize-space()="Ban…"]`)
	b.expect("h1", "Ban from the group")
	b.fill(map[string]string{`textarea[name="reason"]`: "Advertising after a warning."})
	b.tick(`input[name="remove_posts"]`)
	b.screenshot("ban")
	b.click(`//button[normalize-space()="Ban"]`)
	b.expect(".notice")
	b.expect("main", "@alice@", "Advertising after a warning.")
	b.screenshot("members-banned")
	peer.awaitActivity(t, "bob", "Undo", post.Note)
	peer.awaitActivity(t, "alice", "Block", peer.actor("alice"))

	b.open("/admin/groups/tenants/members?state=accepted")
	b.expect("main", "@bob@")
	if got := b.text("main"); strings.Contains(got, "@alice@") {
		t.Fatalf("alice is still listed as a member after her ban:\n%s", got)
	}
}

// blockDomain suspends a domain for the organisation.
func blockDomain(t *testing.T, b *browser) {
	t.Helper()
	b.open("/admin/domain-blocks")
	b.expect("main", "No domains are blocked here")
	b.submit(map[string]string{
		`input[name="domain"]`: "watches.example",
		`form[action="/admin/domain-blocks"] textarea[name="reason"]`:         "Spam from every account.",
		`form[action="/admin/domain-blocks"] textarea[name="public_comment"]`: "Spam",
	}, `//button[normalize-space()="Block"]`)
	b.expect(".notice")
	b.expect(row("watches.example"), "suspend", "Spam from every account.")
	b.screenshot("domain-blocks")
}

// readLog finds every decision of the day in the moderation log, each in the name of who took it.
func readLog(t *testing.T, b *browser) {
	t.Helper()
	b.open("/admin/log")
	b.expect("main", "follow.approve", "post.approve", "post.decline", "report.resolve", "report.forward", "member.ban", "domain.block",
		"No advertising, please.", "Advertising after a warning.")
	b.expect(row("follow.approve"), "Grace")
	b.expect(row("member.ban"), "Grace")
	b.expect(row("domain.block"), "Ada")
	b.screenshot("log")
}

// row selects the table row with a cell containing text.
func row(text string) string { return `//tr[td[contains(., "` + text + `")]]` }

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
