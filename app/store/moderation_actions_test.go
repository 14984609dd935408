package store_test

import (
	"context"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// TestModerationLogWriterEncodesMetadata: the log's one writer encodes every entry's metadata, "{}"
// when there is none, keys in order; metadata that cannot be encoded writes nothing; a batch is
// written with one time; and the action reads back as the LogAction it was written as.
func TestModerationLogWriterEncodesMetadata(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		for _, tc := range []struct {
			metadata map[string]any
			want     string
		}{
			{nil, "{}"},
			{map[string]any{}, "{}"},
			{map[string]any{"severity": model.SeveritySilence, "import": "x.csv"}, `{"import":"x.csv","severity":"silence"}`},
			{map[string]any{"title": map[string]any{"from": "<a>", "to": ""}, "count": 3, "yes": true},
				`{"count":3,"title":{"from":"\u003ca\u003e","to":""},"yes":true}`},
		} {
			written, err := st.RecordModerationAction(ctx, store.LogEntry{Action: model.ActionGroupEdit,
				TargetKind: model.TargetGroup, TargetID: "g", Metadata: tc.metadata})
			if err != nil || written.Metadata != tc.want || written.ID == "" || written.CreatedAt.IsZero() {
				t.Errorf("metadata %v: wrote %+v, %v; want %s", tc.metadata, written, err, tc.want)
			}
		}
		if _, err := st.RecordModerationAction(ctx, store.LogEntry{Action: model.ActionPostRemove,
			Metadata: map[string]any{"bad": make(chan int)}}); err == nil {
			t.Error("metadata that cannot be encoded: no error")
		}
		if err := st.RecordModerationActions(ctx, []store.LogEntry{{Action: model.ActionDomainBlock, TargetID: "a.example"},
			{Action: model.ActionDomainBlock, TargetID: "b.example", Metadata: map[string]any{"import": "x.csv"}}}); err != nil {
			t.Fatal(err)
		}

		log, err := st.ModerationLog(ctx, store.ModerationLogFilter{})
		if err != nil || len(log) != 6 {
			t.Fatalf("log: %+v %v, want the 6 entries written", log, err)
		}
		for _, e := range log {
			if e.Action == model.ActionPostRemove {
				t.Errorf("an entry whose metadata failed was written: %+v", e)
			}
		}
		blocks, err := st.ModerationLog(ctx, store.ModerationLogFilter{Action: model.ActionDomainBlock})
		if err != nil || len(blocks) != 2 || !blocks[0].CreatedAt.Equal(blocks[1].CreatedAt) ||
			blocks[0].Metadata != `{"import":"x.csv"}` || blocks[1].Metadata != "{}" {
			t.Errorf("batch: %+v %v, want two domain.block entries of one time", blocks, err)
		}
	})
}
