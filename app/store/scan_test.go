package store_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	gormlogger "gorm.io/gorm/logger"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/test/testenv"
)

// The store's reads do not render their statements for gorm's recorder (scan.go): gorm's Scan hands
// every statement, with each of its values written out, to a recorder before the store's logger
// decides not to log it, which cost the serve 9 % of its CPU on the inbox path. The recorder's
// parameter filter is gorm's hook into that rendering; it is counted while an inbox activity is
// accepted and read back, and while a listing is read. Not parallel: the hook is gorm's global, and
// no other test of the package runs while a test that is not parallel does.
func TestStoreReadsAreNotRenderedForGormsRecorder(t *testing.T) {
	ctx := context.Background()
	st := testenv.Postgres(t)
	var rendered atomic.Int64
	was := gormlogger.RecorderParamsFilter
	gormlogger.RecorderParamsFilter = func(ctx context.Context, sql string, params ...any) (string, []any) {
		rendered.Add(1)
		return was(ctx, sql, params...)
	}
	t.Cleanup(func() { gormlogger.RecorderParamsFilter = was })

	at := time.Now().UTC().Truncate(time.Microsecond)
	activity := model.InboundActivity{ID: model.NewID(), ActivityIRI: "https://a.example/activities/rendered",
		ActorIRI: "https://a.example/u/al", ActivityType: "Create", RawBody: `{"type":"Create"}`,
		State: model.InboundPending, ReceivedAt: at}
	isNew, err := st.AcceptBatchForTest(ctx, []model.InboundActivity{activity})
	if err != nil || len(isNew) != 1 || !isNew[0] {
		t.Fatalf("accept: new %v, %v", isNew, err)
	}
	read, err := st.InboundToProcessByID(ctx, activity.ID)
	if err != nil || read.RawBody != activity.RawBody {
		t.Fatalf("read the accepted activity back: %q, %v", read.RawBody, err)
	}
	if _, err := st.ListGroups(ctx, ""); err != nil {
		t.Fatalf("list groups: %v", err)
	}
	if n := rendered.Load(); n != 0 {
		t.Errorf("%d statements were rendered with their values for gorm's recorder; want none", n)
	}
}
