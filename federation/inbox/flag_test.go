package inbox_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// flagOf is a Flag by m: Mastodon's shape (object a list of ids, the reason in content).
func flagOf(m member, id string, content string, objects ...string) map[string]any {
	return map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": m.actor() + "/flags/" + id,
		"type": "Flag", "actor": m.actor(), "content": content, "object": objects}
}

// TestFlagsBecomeReports sends Flags, signed, as Mastodon and Lemmy send them, to the shared inbox
// and to groups' inboxes, and checks the reports filed: one per group concerned, with the reporter,
// the account and the group's posts, the reason as plain text; none for a redelivery, for a Flag
// about nothing here, or from a domain the organisation suspended.
func TestFlagsBecomeReports(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		k := newKring(t, st)
		peer := newRemotePeer(t)
		alice := k.join(t, peer, "alice", k.open)
		bob := k.join(t, peer, "bob", k.open)
		// bob asks to join the group that approves followers: pending, yet his group too.
		asked := follow(bob.actor()+"/follows/inner", bob.actor(), k.iris.GroupActor("inner"))
		if status := k.post(t, "/groups/inner/inbox", asked, bob.keyID(), bob.key, nil); status != 202 {
			t.Fatalf("bob's follow: %d", status)
		}
		k.processInbound(t)
		create, note := k.noteOf(alice, k.open, 1)
		if status := k.send(t, alice, k.open, create); status != 202 {
			t.Fatalf("alice's post: %d", status)
		}
		mastodon := newRemotePeerAt(t, "127.0.0.4", "")
		moderators := member{peer: mastodon, name: "actor", key: mastodon.addUser("actor")}
		lemmy := newRemotePeerAt(t, "127.0.0.5", "")
		carol := member{peer: lemmy, name: "carol", key: lemmy.addUser("carol")}
		suspended := newRemotePeerAt(t, "127.0.0.6", "")
		spammer := member{peer: suspended, name: "actor", key: suspended.addUser("actor")}
		acme, err := st.OrganisationBySlug(ctx, "acme")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateDomainBlock(ctx, model.DomainBlock{OrganisationID: &acme.ID, Domain: "127.0.0.6", Severity: model.SeveritySuspend}); err != nil {
			t.Fatal(err)
		}
		lemmyFlag := flagOf(carol, "1", "", k.iris.GroupActor("lobby"))
		delete(lemmyFlag, "content")
		lemmyFlag["summary"] = "<p>This group is <b>spam</b> &amp; more</p>"
		unknownPost := peer.server.URL + "/statuses/404"

		type want struct {
			group  model.Group
			target string // actor IRI, "" for none
			posts  []string
		}
		cases := []struct {
			name     string
			from     member
			path     string
			body     map[string]any
			reason   string
			reports  []want
			reporter string
		}{
			{"Mastodon's report of a member and their post", moderators, "/inbox",
				flagOf(moderators, "1", "Spam\nagain", alice.actor(), note["id"].(string)), "Spam\nagain",
				[]want{{k.open, alice.actor(), []string{note["id"].(string)}}}, moderators.actor()},
			{"the same Flag again", moderators, "/inbox",
				flagOf(moderators, "1", "Spam\nagain", alice.actor(), note["id"].(string)), "", nil, ""},
			{"an account in two groups, one asked to join", moderators, "/inbox",
				flagOf(moderators, "2", "rude", bob.actor()), "rude",
				[]want{{k.open, bob.actor(), []string{}}, {k.approval, bob.actor(), []string{}}}, moderators.actor()},
			{"Lemmy's report of the group itself, reason in summary", carol, "/groups/lobby/inbox",
				lemmyFlag, "This group is spam & more", []want{{k.open, "", []string{}}}, carol.actor()},
			{"a post Kring never had, sent to a group's inbox", carol, "/groups/inner/inbox",
				flagOf(carol, "2", "bad", unknownPost), "bad", []want{{k.approval, "", []string{unknownPost}}}, carol.actor()},
			{"nothing of this server's", moderators, "/inbox",
				flagOf(moderators, "3", "who?", peer.actor("nobody"), unknownPost), "", nil, ""},
			{"a domain the organisation suspended", spammer, "/inbox",
				flagOf(spammer, "1", "spam", alice.actor()), "", nil, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := allReports(t, st)
				body, err := json.Marshal(tc.body)
				if err != nil {
					t.Fatal(err)
				}
				if status := k.post(t, tc.path, body, tc.from.keyID(), tc.from.key, nil); status != 202 {
					t.Fatalf("status %d, want 202", status)
				}
				k.processInbound(t)
				filed := allReports(t, st)[len(before):]
				if len(filed) != len(tc.reports) {
					t.Fatalf("%d reports filed, want %d", len(filed), len(tc.reports))
				}
				for _, w := range tc.reports {
					i := slices.IndexFunc(filed, func(r store.ReportListing) bool { return *r.GroupID == w.group.ID })
					if i < 0 {
						t.Fatalf("no report for group %s", w.group.Slug)
					}
					r := filed[i]
					var posts []string
					if err := json.Unmarshal([]byte(r.TargetPostIRIs), &posts); err != nil {
						t.Fatal(err)
					}
					reporter, err := st.RemoteActorByID(ctx, *r.ReporterActorID)
					if err != nil {
						t.Fatal(err)
					}
					if r.Source != model.ReportFromRemote || r.Status != model.ReportOpen || r.OrganisationID != w.group.OrganisationID ||
						r.Content != tc.reason || r.TargetIRI != w.target || !slices.Equal(posts, w.posts) ||
						reporter.IRI != tc.reporter || *r.FlagActivityIRI != tc.body["id"] {
						t.Errorf("report for %s: %+v (posts %v, reporter %s)", w.group.Slug, r, posts, reporter.IRI)
					}
				}
			})
		}
	})
}

// allReports lists every report, oldest first.
func allReports(t *testing.T, st *store.Store) []store.ReportListing {
	t.Helper()
	rows, err := st.ListReports(context.Background(), store.ReportFilter{Scope: store.ReportScope{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestForwardedReportReachesTheAuthorsServer forwards a received report: the author's server gets a
// Flag signed by the instance actor, naming the account and the post, with the moderator's comment,
// and the report says when; a second forward is refused.
func TestForwardedReportReachesTheAuthorsServer(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		k := newKring(t, st)
		peer := newRemotePeer(t)
		alice := k.join(t, peer, "alice", k.open)
		create, note := k.noteOf(alice, k.open, 1)
		if status := k.send(t, alice, k.open, create); status != 202 {
			t.Fatalf("alice's post: %d", status)
		}
		mastodon := newRemotePeerAt(t, "127.0.0.4", "")
		moderators := member{peer: mastodon, name: "actor", key: mastodon.addUser("actor")}
		body, _ := json.Marshal(flagOf(moderators, "1", "spam", alice.actor(), note["id"].(string), "https://elsewhere.test/notes/1"))
		if status := k.post(t, "/inbox", body, moderators.keyID(), moderators.key, nil); status != 202 {
			t.Fatalf("flag: %d", status)
		}
		k.processInbound(t)
		report := allReports(t, st)[0]
		staff, _, err := organisations.NewServiceWith(st, organisations.Options{PasswordParams: organisations.TestPasswordParams()}).CreateStaff(ctx, organisations.NewStaff{Email: "mod@acme.test",
			Password: "correct horse battery staple", OrganisationSlug: "acme", Role: model.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		before := len(receivedBy(t, peer, "alice"))
		if err := k.reports.Forward(ctx, report.ID, staff.ID, "Spam, seen in our group"); err != nil {
			t.Fatal(err)
		}
		k.deliverAll(t)
		got := peer.received()
		var flag struct {
			Type    string   `json:"type"`
			Actor   string   `json:"actor"`
			Object  []string `json:"object"`
			Content string   `json:"content"`
		}
		last := got[len(got)-1]
		if err := json.Unmarshal(last.Body, &flag); err != nil {
			t.Fatal(err)
		}
		if len(receivedBy(t, peer, "alice")) != before+1 || flag.Type != "Flag" || flag.Actor != k.iris.InstanceActor() ||
			!slices.Equal(flag.Object, []string{alice.actor(), note["id"].(string)}) || flag.Content != "Spam, seen in our group" {
			t.Fatalf("alice's server got %s at %s", last.Body, last.Path)
		}
		if signature := last.Header.Get("Signature"); !strings.Contains(signature, `keyId="`+k.iris.InstanceActor()+"#") {
			t.Errorf("signed %s, want the instance actor's key", signature)
		}
		if forwarded, err := st.ReportByID(ctx, report.ID); err != nil || forwarded.ForwardedAt == nil {
			t.Errorf("forwarded_at not recorded (%v)", err)
		}
		if err := k.reports.Forward(ctx, report.ID, staff.ID, "again"); apperror.KindOf(err) != apperror.KindConflict {
			t.Errorf("second forward: %v, want a conflict", err)
		}
	})
}
