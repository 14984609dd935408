package conversations_test

import (
	"context"
	"testing"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// TestRestore: a removed post comes back visible and is announced again under new Announce ids
// (peers drop ids they have seen, and saw the old ones undone); only removed posts are restored, and
// the restore is logged with the staff member and reason.
func TestRestore(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		result := f.post("<p>hello</p>")
		if result.Outcome != conversations.Shared {
			t.Fatalf("posted: %+v", result)
		}
		before, err := st.PostByID(ctx, result.PostID)
		if err != nil || before.AnnounceActivityIRI == nil || before.ActivityAnnounceIRI == nil {
			t.Fatalf("announced post %+v %v", before, err)
		}
		if _, err := f.talk.Restore(ctx, before.ID, f.staffID, ""); apperror.KindOf(err) != apperror.KindConflict {
			t.Errorf("restoring a visible post: %v, want a conflict", err)
		}
		if _, err := f.talk.Remove(ctx, before.ID, f.staffID, "off topic"); err != nil {
			t.Fatal(err)
		}
		restored, err := f.talk.Restore(ctx, before.ID, f.staffID, "it was on topic after all")
		if err != nil || restored.State != model.PostVisible {
			t.Fatalf("restore: %+v %v", restored, err)
		}
		after, err := st.PostByID(ctx, before.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.State != model.PostVisible || after.RemovedReason != "" || after.RemovedAt != nil {
			t.Errorf("restored post: state %s, reason %q, removed at %v", after.State, after.RemovedReason, after.RemovedAt)
		}
		if after.AnnounceActivityIRI == nil || *after.AnnounceActivityIRI == *before.AnnounceActivityIRI ||
			after.ActivityAnnounceIRI == nil || *after.ActivityAnnounceIRI == *before.ActivityAnnounceIRI {
			t.Errorf("announce ids before %v/%v, after %v/%v: want new ones", *before.AnnounceActivityIRI,
				*before.ActivityAnnounceIRI, after.AnnounceActivityIRI, after.ActivityAnnounceIRI)
		}
		if len(f.fed.announced) != 4 || len(f.fed.withdrawn) != 1 {
			t.Errorf("announced %v, withdrawn %v", f.fed.announced, f.fed.withdrawn)
		}
		logged := f.actions(model.ActionPostRestore)
		if len(logged) != 1 || logged[0].TargetID != before.ID || *logged[0].StaffAccountID != *f.staffID ||
			logged[0].Reason != "it was on topic after all" {
			t.Errorf("logged %+v", logged)
		}
		if _, err := f.talk.Restore(ctx, before.ID, f.staffID, ""); apperror.KindOf(err) != apperror.KindConflict {
			t.Errorf("restoring twice: %v, want a conflict", err)
		}
		if _, err := f.talk.Restore(ctx, "no-such-post", f.staffID, ""); apperror.KindOf(err) != apperror.KindNotFound {
			t.Errorf("unknown post: %v", err)
		}
	})
}
