package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// Times with every width of fraction: SQLite keeps times as text with trailing zeros trimmed, so
// these are the values most likely to read back wrong or sort wrong.
var (
	wholeSecond = time.Date(2025, 3, 9, 1, 2, 3, 0, time.UTC)
	tenths      = time.Date(2025, 3, 9, 1, 2, 3, 500_000_000, time.UTC)
	micros      = time.Date(2025, 3, 9, 1, 2, 3, 123_456_000, time.UTC)
	trailing    = time.Date(2025, 12, 31, 23, 59, 59, 120_000_000, time.UTC)
)

func ptr[T any](v T) *T { return &v }

// TestModelsRoundTrip writes every model with every column set and reads it back unchanged, on both
// engines: it proves each struct maps onto its table and each time survives the trip.
func TestModelsRoundTrip(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		org := model.Organisation{ID: model.NewID(), Slug: "acme", Name: "Acme", CreatedAt: wholeSecond, UpdatedAt: micros}
		staff := model.StaffAccount{ID: model.NewID(), Email: "mod@example.org", DisplayName: "Mod",
			PasswordHash: "$argon2id$v=19$m=65536,t=2,p=2$c2FsdA$aGFzaA", InstanceAdmin: true,
			DisabledAt: ptr(tenths), LastLoginAt: ptr(trailing), PasswordChangedAt: micros,
			CreatedAt: wholeSecond, UpdatedAt: tenths}
		group := model.Group{ID: model.NewID(), OrganisationID: org.ID, Slug: "lobby", Name: "Lobby",
			Summary: "<p>hi</p>", Rules: "be kind", AvatarPath: "media/a.png", HeaderPath: "media/h.png",
			PostingPolicy: model.PostingPremoderated, ApproveFollowers: true, Discoverable: false,
			ArchivedAt: ptr(micros), FederatedAt: ptr(trailing), CreatedAt: tenths, UpdatedAt: trailing}
		actor := model.RemoteActor{ID: model.NewID(), IRI: "https://remote.example/users/alice", Host: "remote.example",
			ActorType: "Person", PreferredUsername: "alice", DisplayName: "Alice", Summary: "s",
			InboxURL: "https://remote.example/users/alice/inbox", SharedInboxURL: "https://remote.example/inbox",
			OutboxURL: "https://remote.example/users/alice/outbox", FollowersURL: "https://remote.example/users/alice/followers",
			URL: "https://remote.example/@alice", IconURL: "https://remote.example/a.png",
			PublicKeyID: "https://remote.example/users/alice#main-key", PublicKeyPEM: "-----BEGIN PUBLIC KEY-----",
			RawDocument: `{"type":"Person"}`, FetchedAt: micros, GoneAt: ptr(wholeSecond), CreatedAt: micros, UpdatedAt: micros}
		activity := model.OutboundActivity{ID: model.NewID(), ActivityIRI: "https://kring.example/activities/1",
			ActorKind: model.OwnerGroup, GroupID: &group.ID, ActivityType: "Accept", Body: `{"type":"Accept"}`, CreatedAt: trailing}

		rows := []any{
			&org,
			&staff,
			&model.StaffRole{ID: model.NewID(), StaffAccountID: staff.ID, OrganisationID: org.ID, Role: model.RoleModerator,
				CreatedAt: micros, UpdatedAt: trailing},
			&model.InstanceSetting{Key: "k", Value: "v", CreatedAt: tenths, UpdatedAt: micros},
			&group,
			&model.GroupModerator{ID: model.NewID(), GroupID: group.ID, StaffAccountID: staff.ID, CreatedAt: micros},
			&model.SigningKey{ID: model.NewID(), OwnerKind: model.OwnerGroup, GroupID: &group.ID, KeySuffix: model.MainKeySuffix,
				PublicPEM: "pub", PrivatePEM: "priv", CreatedAt: micros, RetiredAt: ptr(trailing)},
			&model.SigningKey{ID: model.NewID(), OwnerKind: model.OwnerInstance, KeySuffix: model.MainKeySuffix,
				PublicPEM: "pub", PrivatePEM: "priv", CreatedAt: wholeSecond},
			&actor,
			&model.Follow{ID: model.NewID(), GroupID: group.ID, RemoteActorID: actor.ID,
				FollowActivityIRI: "https://remote.example/follows/1", State: model.FollowPending, CreatedAt: micros, UpdatedAt: tenths},
			&model.Post{ID: model.NewID(), GroupID: group.ID, ObjectIRI: "https://remote.example/notes/1", Reach: model.ReachFollowers,
				AuthorKind: model.AuthorRemote, AuthorActorID: &actor.ID, CreatedByStaffID: &staff.ID, ObjectType: "Note",
				ContentHTML: "<p>hello</p>", Summary: "cw", URL: "https://remote.example/@alice/1",
				InReplyToIRI: "https://remote.example/notes/0", ContextIRI: "https://remote.example/ctx/1",
				ThreadRootIRI: "https://remote.example/notes/0", Visibility: model.VisibilityUnlisted, State: model.PostRemoved,
				PublishedAt: micros, EditedAt: ptr(tenths), AnnounceActivityIRI: ptr("https://kring.example/announce/1"),
				PinnedAt: ptr(wholeSecond), RemovedReason: "spam", RemovedAt: ptr(trailing), CreatedAt: micros, UpdatedAt: trailing},
			&model.Post{ID: model.NewID(), GroupID: group.ID, ObjectIRI: "https://kring.example/notes/1", Reach: model.ReachThread,
				AuthorKind: model.AuthorGroup, ObjectType: "Note", Visibility: model.VisibilityPublic, State: model.PostVisible,
				PublishedAt: wholeSecond, CreatedAt: wholeSecond, UpdatedAt: wholeSecond},
			&model.InboundActivity{ID: model.NewID(), ActivityIRI: "https://remote.example/activities/9",
				ActorIRI: actor.IRI, ActivityType: "Create", GroupID: &group.ID, RawBody: `{"type":"Create"}`,
				State: model.InboundFailed, Attempts: 3, Error: "boom", ReceivedAt: micros, ProcessedAt: ptr(trailing)},
			&activity,
			&model.Delivery{ID: model.NewID(), OutboundActivityID: activity.ID, InboxURL: "https://remote.example/inbox",
				Host: "remote.example", State: model.DeliveryDelivered, Attempts: 2, NextAttemptAt: tenths, LastStatus: 202,
				LastError: "timeout", DeliveredAt: ptr(micros), CreatedAt: wholeSecond, UpdatedAt: micros},
			&model.RemoteHost{ID: model.NewID(), Host: "remote.example", ConsecutiveFailures: 4, TotalFailures: 1 << 40,
				TotalSuccesses: 7, UnreachableSince: ptr(wholeSecond), NextProbeAt: ptr(trailing), LastSuccessAt: ptr(tenths),
				LastFailureAt: ptr(micros), LastError: "refused", CreatedAt: micros, UpdatedAt: micros},
			&model.DomainBlock{ID: model.NewID(), OrganisationID: &org.ID, Domain: "bad.example", Severity: model.SeveritySilence,
				Reason: "r", PublicComment: "c", CreatedByStaffID: &staff.ID, CreatedAt: micros, UpdatedAt: tenths},
			&model.DomainBlock{ID: model.NewID(), Domain: "bad.example", Severity: model.SeveritySuspend,
				CreatedAt: micros, UpdatedAt: micros},
			&model.GroupBan{ID: model.NewID(), GroupID: group.ID, RemoteActorID: actor.ID, Reason: "r",
				BlockActivityIRI: "https://kring.example/blocks/1", CreatedByStaffID: &staff.ID, ExpiresAt: ptr(trailing), CreatedAt: micros},
			&model.ModerationAction{ID: model.NewID(), OrganisationID: &org.ID, GroupID: &group.ID, StaffAccountID: &staff.ID,
				Action: model.ActionGroupCreate, TargetKind: model.TargetGroup, TargetID: group.ID, Reason: "why",
				Metadata: `{"a":1}`, CreatedAt: tenths},
		}
		ctx := context.Background()
		for _, row := range rows {
			if err := st.DB().WithContext(ctx).Create(row).Error; err != nil {
				t.Fatalf("insert %T: %v", row, err)
			}
		}
		for _, want := range rows {
			got := reflect.New(reflect.TypeOf(want).Elem())
			key, value := primaryKey(want)
			if err := st.DB().WithContext(ctx).Where(key+" = ?", value).Take(got.Interface()).Error; err != nil {
				t.Fatalf("read back %T: %v", want, err)
			}
			if read, ok := got.Interface().(*model.RemoteActor); ok {
				// Written, never read by the model (->:false): read here as it is stored.
				if read.RawDocument != "" {
					t.Errorf("RemoteActor.RawDocument read back by the model: %q", read.RawDocument)
				}
				if err := st.DB().Raw("SELECT raw_document FROM remote_actors WHERE id = ?", read.ID).Row().Scan(&read.RawDocument); err != nil {
					t.Fatal(err)
				}
			}
			assertSameRow(t, reflect.ValueOf(want).Elem(), got.Elem())
		}
	})
}

func primaryKey(row any) (string, any) {
	if setting, ok := row.(*model.InstanceSetting); ok {
		return "key", setting.Key
	}
	return "id", reflect.ValueOf(row).Elem().FieldByName("ID").Interface()
}

var timeType = reflect.TypeOf(time.Time{})

// assertSameRow compares two structs field by field: times by instant and as UTC, the rest exactly.
func assertSameRow(t *testing.T, want, got reflect.Value) {
	t.Helper()
	for i := range want.NumField() {
		name := want.Type().Name() + "." + want.Type().Field(i).Name
		w, g := want.Field(i), got.Field(i)
		if w.Kind() == reflect.Pointer && w.Type().Elem() == timeType {
			if w.IsNil() != g.IsNil() {
				t.Errorf("%s: wrote nil=%t, read nil=%t", name, w.IsNil(), g.IsNil())
				continue
			}
			if w.IsNil() {
				continue
			}
			w, g = w.Elem(), g.Elem()
		}
		if w.Type() == timeType {
			wt, gt := w.Interface().(time.Time), g.Interface().(time.Time)
			if !wt.Equal(gt) || gt.Location() != time.UTC {
				t.Errorf("%s: wrote %s, read %s (location %s)", name, wt.Format(time.RFC3339Nano), gt.Format(time.RFC3339Nano), gt.Location())
			}
			continue
		}
		if !reflect.DeepEqual(w.Interface(), g.Interface()) {
			t.Errorf("%s: wrote %#v, read %#v", name, w.Interface(), g.Interface())
		}
	}
}
