package workers

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

func TestPruneKeepsWhatIsStillNeeded(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		old := time.Now().Add(-60 * 24 * time.Hour).UTC()
		rows := []model.InboundActivity{
			{ID: model.NewID(), ActivityIRI: "https://a.example/1", State: model.InboundProcessed, ReceivedAt: old},
			{ID: model.NewID(), ActivityIRI: "https://a.example/2", State: model.InboundPending, ReceivedAt: old},
			{ID: model.NewID(), ActivityIRI: "https://a.example/3", State: model.InboundIgnored, ReceivedAt: time.Now().UTC()},
		}
		for _, r := range rows {
			r.ActorIRI, r.ActivityType, r.RawBody = "https://a.example/u", "Like", "{}"
			if err := st.DB().Create(&r).Error; err != nil {
				t.Fatal(err)
			}
		}
		dead, live := old, (*time.Time)(nil)
		for _, deadAt := range []*time.Time{&dead, live} {
			task := model.QueuedTask{ID: model.NewID(), TaskType: "x", Queue: "maintenance", Payload: "{}", RunAt: old, DeadAt: deadAt, CreatedAt: old}
			if err := st.DB().Create(&task).Error; err != nil {
				t.Fatal(err)
			}
		}
		prune(ctx, st, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now())

		var left []model.InboundActivity
		if err := st.DB().Order("activity_iri").Find(&left).Error; err != nil {
			t.Fatal(err)
		}
		if len(left) != 2 || left[0].ActivityIRI != "https://a.example/2" || left[1].ActivityIRI != "https://a.example/3" {
			t.Fatalf("inbound left %+v; want the pending one and the recent one", left)
		}
		var tasks []model.QueuedTask
		if err := st.DB().Find(&tasks).Error; err != nil {
			t.Fatal(err)
		}
		if len(tasks) != 1 || tasks[0].DeadAt != nil {
			t.Fatalf("tasks left %+v; want only the live one", tasks)
		}
	})
}

func TestPruneExpiredPasswordResets(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC()
		account := model.StaffAccount{ID: model.NewID(), Email: "mod@acme.test", PasswordHash: "x", PasswordChangedAt: now}
		if err := st.DB().Create(&account).Error; err != nil {
			t.Fatal(err)
		}
		for hash, expires := range map[string]time.Time{"old": now.Add(-48 * time.Hour), "live": now.Add(time.Hour)} {
			if err := st.CreatePasswordResetToken(ctx, account.ID, hash, expires); err != nil {
				t.Fatal(err)
			}
		}
		prune(ctx, st, slog.New(slog.NewTextHandler(io.Discard, nil)), now)
		var left []model.PasswordResetToken
		if err := st.DB().Find(&left).Error; err != nil {
			t.Fatal(err)
		}
		if len(left) != 1 || left[0].TokenHash != "live" {
			t.Fatalf("reset links left %+v; want the live one", left)
		}
	})
}
