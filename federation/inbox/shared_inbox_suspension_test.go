package inbox_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/test/testenv"
)

// A domain one organisation suspended hears nothing from Kring about that organisation's groups, at
// the shared inbox as at the group's own: no key fetched, nothing stored, no answer delivered. Another
// organisation's group, which did not suspend it, still answers its members there.
func TestSharedInboxAppliesOrganisationSuspensions(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	k := newKring(t, st)
	ctx := context.Background()
	peer := newRemotePeerAt(t, "127.0.0.2", "")
	key := peer.addUser("spammer")
	spammer := peer.actor("spammer")
	acme, err := st.OrganisationBySlug(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateDomainBlock(ctx, model.DomainBlock{Domain: "127.0.0.2", OrganisationID: &acme.ID, Severity: model.SeveritySuspend}); err != nil {
		t.Fatal(err)
	}
	if _, err := organisations.NewService(st).CreateOrganisation(ctx, "beta", "Beta"); err != nil {
		t.Fatal(err)
	}
	if _, err := testenv.Groups(t, st).CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "beta", Slug: "garden", Name: "Garden"}); err != nil {
		t.Fatal(err)
	}
	lobby, garden := k.iris.GroupActor("lobby"), k.iris.GroupActor("garden")

	refused := []struct {
		name, path string
		body       []byte
	}{
		{"follow of acme's group at the shared inbox", "/inbox", follow(spammer+"/follows/1", spammer, lobby)},
		{"follow of acme's group at its own inbox", "/groups/lobby/inbox", follow(spammer+"/follows/2", spammer, lobby)},
		{"a post addressed to acme's group only", "/inbox", []byte(`{"@context":"https://www.w3.org/ns/activitystreams","id":"` + spammer + `/posts/1/create","type":"Create","actor":"` + spammer + `","to":["` + lobby + `"],"object":{"id":"` + spammer + `/posts/1","type":"Note","attributedTo":"` + spammer + `","content":"buy","to":["` + lobby + `"]}}`)},
		{"an activity naming no group", "/inbox", []byte(`{"@context":"https://www.w3.org/ns/activitystreams","id":"` + spammer + `#delete","type":"Delete","actor":"` + spammer + `","object":"` + spammer + `"}`)},
	}
	for _, tc := range refused {
		if status := k.post(t, tc.path, tc.body, spammer+"#main-key", key, nil); status != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", tc.name, status)
		}
	}
	if fetched := peer.fetches(); len(fetched) != 0 {
		t.Fatalf("Kring fetched %q from a suspended domain", fetched)
	}
	var stored int64
	if err := st.DB().Model(&model.InboundActivity{}).Count(&stored).Error; err != nil {
		t.Fatal(err)
	}
	if stored != 0 {
		t.Fatalf("%d activities from a suspended domain stored", stored)
	}

	// Beta did not suspend the domain: its group answers, through the same shared inbox.
	if status := k.post(t, "/inbox", follow(spammer+"/follows/3", spammer, garden), spammer+"#main-key", key, nil); status != http.StatusAccepted {
		t.Fatalf("follow of beta's group: status %d, want 202", status)
	}
	k.processInbound(t)
	k.deliverAll(t)
	received := peer.receivedOfType("Accept")
	var answer struct{ Type, Actor string }
	if len(received) != 1 || json.Unmarshal(received[0].Body, &answer) != nil || answer.Type != "Accept" || answer.Actor != garden {
		t.Fatalf("the follower of beta's group got %d deliveries (%+v), want garden's Accept", len(received), answer)
	}
}

// A Follow stored before its domain was suspended is dropped when the worker comes to it: nothing
// more is fetched from the domain, and no answer goes there.
func TestFollowFromADomainSuspendedSinceIsDropped(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	k := newKring(t, st)
	ctx := context.Background()
	peer := newRemotePeerAt(t, "127.0.0.3", "")
	key := peer.addUser("late")
	late := peer.actor("late")
	if status := k.post(t, "/groups/lobby/inbox", follow(late+"/follows/1", late, k.iris.GroupActor("lobby")), late+"#main-key", key, nil); status != http.StatusAccepted {
		t.Fatalf("follow: status %d", status)
	}
	fetchedBefore := len(peer.fetches())
	acme, err := st.OrganisationBySlug(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateDomainBlock(ctx, model.DomainBlock{Domain: "127.0.0.3", OrganisationID: &acme.ID, Severity: model.SeveritySuspend}); err != nil {
		t.Fatal(err)
	}
	k.processInbound(t)
	k.deliverAll(t)
	if fetched := peer.fetches(); len(fetched) != fetchedBefore {
		t.Fatalf("fetched %q from the domain after it was suspended", fetched[fetchedBefore:])
	}
	if received := peer.received(); len(received) != 0 {
		t.Fatalf("%d deliveries to a suspended domain", len(received))
	}
	var row model.InboundActivity
	if err := st.DB().Take(&row).Error; err != nil {
		t.Fatal(err)
	}
	if row.State != model.InboundIgnored {
		t.Fatalf("the Follow ended %s, want ignored", row.State)
	}
}
