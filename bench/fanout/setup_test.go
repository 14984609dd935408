package fanout

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/bench/limits"
)

// The shape both benchmarks fan out to: 10,000 followers on 1,000 hosts.
const (
	followerCount = 10000
	hostCount     = 1000
)

// loopback is what Kring's fetch client may reach here: the sink's hosts and the author's server.
var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

// hostAddress is the loopback address of host number i: 127.1.x.y.
func hostAddress(i int) string { return fmt.Sprintf("127.1.%d.%d", i/250, i%250+1) }

func signingLimit(b *testing.B) float64 {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	return limits.RSASignaturesPerSecond(key)
}

// setUpGroup creates the group "lobby" with followers spread evenly over hosts, each host with a
// shared inbox served by the sink on port. The rows are inserted directly: making 10,000 actors
// follow through the inbox would measure the setup, not the fan-out.
func setUpGroup(b *testing.B, st *store.Store, followers, hosts, port int) model.Group {
	ctx := context.Background()
	if _, err := organisations.NewService(st).CreateOrganisation(ctx, "bench", "Bench"); err != nil {
		b.Fatal(err)
	}
	group, err := groups.NewService(st).CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "bench", Slug: "lobby", Name: "Lobby"})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	actors := make([]model.RemoteActor, followers)
	follows := make([]model.Follow, followers)
	for i := range actors {
		host := hostAddress(i % hosts)
		origin := fmt.Sprintf("http://%s:%d", host, port)
		actors[i] = model.RemoteActor{ID: model.NewID(), IRI: fmt.Sprintf("%s/users/u%d", origin, i), Host: host,
			ActorType: "Person", InboxURL: fmt.Sprintf("%s/users/u%d/inbox", origin, i), SharedInboxURL: origin + "/inbox",
			FetchedAt: now, CreatedAt: now, UpdatedAt: now}
		follows[i] = model.Follow{ID: model.NewID(), GroupID: group.ID, RemoteActorID: actors[i].ID,
			FollowActivityIRI: actors[i].IRI + "#follow", State: model.FollowAccepted, CreatedAt: now, UpdatedAt: now}
	}
	if err := st.DB().CreateInBatches(actors, 500).Error; err != nil {
		b.Fatal(err)
	}
	if err := st.DB().CreateInBatches(follows, 500).Error; err != nil {
		b.Fatal(err)
	}
	return group
}
