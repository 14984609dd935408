package workers

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// The hourly pruning deletes deliveries settled before the retention period and the activities
// only they needed; it keeps pending deliveries, recent ones, the activities other servers may
// still read (an Announce), and every rollup row however old.
func TestPruneOutboxKeepsWhatIsStillNeeded(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := context.Background()
		if _, err := organisations.NewService(st).CreateOrganisation(ctx, "acme", "Acme"); err != nil {
			t.Fatal(err)
		}
		group, err := testenv.Groups(t, st).CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "lobby", Name: "Lobby"})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		old, recent := now.Add(-DefaultAnalyticsRetention-24*time.Hour), now.Add(-24*time.Hour)
		// Each activity's deliveries, by state; the name says what the pruning must do with it.
		outbox := []struct {
			name, kind string
			at         time.Time
			deliveries []model.DeliveryState
			keep       bool
		}{
			{"old settled accept", "Accept", old, []model.DeliveryState{model.DeliveryDelivered, model.DeliveryFailed, model.DeliveryAbandoned}, false},
			{"old accept still pending", "Accept", old, []model.DeliveryState{model.DeliveryDelivered, model.DeliveryPending}, true},
			{"old announce", "Announce", old, []model.DeliveryState{model.DeliveryDelivered}, true},
			{"recent accept", "Accept", recent, []model.DeliveryState{model.DeliveryDelivered}, true},
		}
		for i, row := range outbox {
			activity := model.OutboundActivity{ID: testenv.IDAt(row.at), ActivityIRI: fmt.Sprintf("https://kring.test/activities/%d", i),
				ActorKind: model.OwnerGroup, GroupID: &group.ID, ActivityType: row.kind, Body: row.name, CreatedAt: row.at}
			if err := st.DB().Create(&activity).Error; err != nil {
				t.Fatal(err)
			}
			for j, state := range row.deliveries {
				d := model.Delivery{ID: testenv.IDAt(row.at), OutboundActivityID: activity.ID, InboxURL: fmt.Sprintf("https://%d.example/inbox", j),
					Host: fmt.Sprintf("%d.example", j), State: state, NextAttemptAt: row.at, CreatedAt: row.at, UpdatedAt: row.at}
				if err := st.DB().Create(&d).Error; err != nil {
					t.Fatal(err)
				}
			}
		}
		oldDay := store.StatsDay(now.Add(-400 * 24 * time.Hour))
		if err := st.DB().Exec("INSERT INTO group_daily_stats (group_id, day, deliveries_attempted) VALUES (?, ?, 3)", group.ID, oldDay).Error; err != nil {
			t.Fatal(err)
		}

		pruneOutbox(ctx, st, slog.New(slog.NewTextHandler(io.Discard, nil)), now.Add(-DefaultAnalyticsRetention))

		var activities []model.OutboundActivity
		if err := st.DB().Order("activity_iri").Find(&activities).Error; err != nil {
			t.Fatal(err)
		}
		kept := map[string]bool{}
		for _, a := range activities {
			kept[a.Body] = true
		}
		var deliveries []struct {
			Body  string
			State model.DeliveryState
		}
		err = st.DB().Table("deliveries").Select("outbound_activities.body, deliveries.state").
			Joins("JOIN outbound_activities ON outbound_activities.id = deliveries.outbound_activity_id").Scan(&deliveries).Error
		if err != nil {
			t.Fatal(err)
		}
		left := map[string][]model.DeliveryState{}
		for _, d := range deliveries {
			left[d.Body] = append(left[d.Body], d.State)
		}
		for _, row := range outbox {
			if kept[row.name] != row.keep {
				t.Errorf("%s: kept %t, want %t", row.name, kept[row.name], row.keep)
			}
		}
		if got := left["old accept still pending"]; len(got) != 1 || got[0] != model.DeliveryPending {
			t.Errorf("old accept still pending has deliveries %v left, want only the pending one", got)
		}
		if got := left["old announce"]; len(got) != 0 {
			t.Errorf("old announce has deliveries %v left, want none: it is kept, its settled deliveries are not", got)
		}
		if got := left["recent accept"]; len(got) != 1 {
			t.Errorf("recent accept has deliveries %v left, want its one", got)
		}
		if len(deliveries) != 2 {
			t.Errorf("%d deliveries left, want 2", len(deliveries))
		}
		days, err := st.GroupDays(ctx, group.ID, oldDay, oldDay)
		if err != nil {
			t.Fatal(err)
		}
		if days[oldDay].DeliveriesAttempted != 3 {
			t.Errorf("the rollup of %s was touched: %+v", oldDay, days[oldDay])
		}
	})
}
