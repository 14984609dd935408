package groups_test

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

func createOrganisation(t *testing.T, st *store.Store, slug string) model.Organisation {
	t.Helper()
	org, err := st.CreateOrganisation(context.Background(), model.Organisation{Slug: slug, Name: slug})
	if err != nil {
		t.Fatal(err)
	}
	return org
}

func TestCreateGroup(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := groups.NewService(st)
		acme := createOrganisation(t, st, "acme")
		staff, err := st.CreateStaffAccount(ctx, model.StaffAccount{Email: "admin@example.org", PasswordHash: "h"})
		if err != nil {
			t.Fatal(err)
		}

		created, err := svc.CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "lobby", Name: " The Lobby ",
			Summary: "Say hello.\n\nBe nice.", Rules: "1. Kindness\n2. No spam", PostingPolicy: model.PostingPremoderated,
			ApproveFollowers: true, CreatedBy: staff.ID})
		if err != nil {
			t.Fatal(err)
		}
		if created.Name != "The Lobby" || created.OrganisationID != acme.ID || created.PostingPolicy != model.PostingPremoderated ||
			!created.ApproveFollowers || !created.Discoverable || created.ArchivedAt != nil || created.FederatedAt != nil {
			t.Errorf("created %+v", created)
		}

		details, err := svc.GroupBySlug(ctx, "lobby")
		if err != nil {
			t.Fatal(err)
		}
		if details.ID != created.ID || details.OrganisationSlug != "acme" || details.Summary.Group.Summary != "Say hello.\n\nBe nice." ||
			details.Rules != "1. Kindness\n2. No spam" || !details.CreatedAt.Equal(created.CreatedAt) ||
			!details.UpdatedAt.Equal(created.UpdatedAt) || details.KeySuffix != model.MainKeySuffix {
			t.Errorf("read back %+v, created %+v", details, created)
		}

		// The key: RSA-2048, the published half matching the stored private half.
		public := parseRSAPublicKey(t, details.PublicKeyPEM)
		if public.N.BitLen() != 2048 {
			t.Errorf("key has %d bits, want 2048", public.N.BitLen())
		}
		stored, err := st.ActiveGroupKey(ctx, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		private := parsePKCS8RSAKey(t, stored.PrivatePEM)
		if !private.PublicKey.Equal(public) {
			t.Error("private key does not belong to the published public key")
		}

		log, err := st.ModerationLog(ctx, store.ModerationLogFilter{GroupID: created.ID})
		if err != nil || len(log) != 1 {
			t.Fatalf("moderation log: %+v, %v", log, err)
		}
		entry := log[0]
		if entry.Action != model.ActionGroupCreate || entry.TargetKind != model.TargetGroup || entry.TargetID != created.ID ||
			entry.OrganisationID == nil || *entry.OrganisationID != acme.ID || entry.StaffAccountID == nil || *entry.StaffAccountID != staff.ID {
			t.Errorf("log entry %+v", entry)
		}
		var metadata map[string]any
		if err := json.Unmarshal([]byte(entry.Metadata), &metadata); err != nil || metadata["slug"] != "lobby" || metadata["posting_policy"] != "premoderated" {
			t.Errorf("log metadata %s (%v)", entry.Metadata, err)
		}

		// Defaults, and an action by Kring itself.
		plain, err := svc.CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "chat_2", Name: "Chat"})
		if err != nil {
			t.Fatal(err)
		}
		if plain.PostingPolicy != model.PostingFollowers || plain.ApproveFollowers || !plain.Discoverable {
			t.Errorf("defaults: %+v", plain)
		}
		if log, err := st.ModerationLog(ctx, store.ModerationLogFilter{GroupID: plain.ID}); err != nil {
			t.Fatal(err)
		} else if len(log) != 1 || log[0].StaffAccountID != nil {
			t.Errorf("log of a group created by Kring: %+v", log)
		}
	})
}

func TestCreateGroupRefusals(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := testenv.Groups(t, st)
		createOrganisation(t, st, "acme")
		createOrganisation(t, st, "beta")
		if _, err := svc.CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "lobby", Name: "Lobby"}); err != nil {
			t.Fatal(err)
		}
		valid := groups.NewGroup{OrganisationSlug: "acme", Slug: "fresh", Name: "Fresh"}
		cases := []struct {
			name   string
			change func(*groups.NewGroup)
			kind   apperror.Kind
			field  string
		}{
			{"slug taken in this organisation", func(g *groups.NewGroup) { g.Slug = "lobby" }, apperror.KindConflict, "slug"},
			{"slug taken in another organisation", func(g *groups.NewGroup) { g.OrganisationSlug, g.Slug = "beta", "lobby" }, apperror.KindConflict, "slug"},
			{"empty slug", func(g *groups.NewGroup) { g.Slug = "" }, apperror.KindInvalid, "slug"},
			{"uppercase slug", func(g *groups.NewGroup) { g.Slug = "Lobby2" }, apperror.KindInvalid, "slug"},
			{"slug with a dot", func(g *groups.NewGroup) { g.Slug = "lob.by" }, apperror.KindInvalid, "slug"},
			{"31-character slug", func(g *groups.NewGroup) { g.Slug = strings.Repeat("g", 31) }, apperror.KindInvalid, "slug"},
			{"reserved slug", func(g *groups.NewGroup) { g.Slug = "inbox" }, apperror.KindInvalid, "slug"},
			{"reserved slug instance", func(g *groups.NewGroup) { g.Slug = "instance" }, apperror.KindInvalid, "slug"},
			{"empty name", func(g *groups.NewGroup) { g.Name = "  " }, apperror.KindInvalid, "name"},
			{"101-character name", func(g *groups.NewGroup) { g.Name = strings.Repeat("n", 101) }, apperror.KindInvalid, "name"},
			{"line break in name", func(g *groups.NewGroup) { g.Name = "a\nb" }, apperror.KindInvalid, "name"},
			{"escape in summary", func(g *groups.NewGroup) { g.Summary = "hi \x1b[31m" }, apperror.KindInvalid, "summary"},
			{"long summary", func(g *groups.NewGroup) { g.Summary = strings.Repeat("s", 5001) }, apperror.KindInvalid, "summary"},
			{"long rules", func(g *groups.NewGroup) { g.Rules = strings.Repeat("r", 20001) }, apperror.KindInvalid, "rules"},
			{"unknown posting policy", func(g *groups.NewGroup) { g.PostingPolicy = "everyone" }, apperror.KindInvalid, "posting_policy"},
			{"no organisation", func(g *groups.NewGroup) { g.OrganisationSlug = "" }, apperror.KindInvalid, "organisation"},
			{"unknown organisation", func(g *groups.NewGroup) { g.OrganisationSlug = "nope" }, apperror.KindNotFound, "organisation"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := valid
				c.change(&in)
				_, err := svc.CreateGroup(ctx, in)
				assertDomainError(t, err, c.kind, c.field)
			})
		}

		// A failure late in the transaction (the log entry names an unknown staff account) leaves
		// neither the group nor its key behind.
		if _, err := svc.CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "half", Name: "Half",
			CreatedBy: model.NewID()}); err == nil {
			t.Fatal("group created with a log entry naming an unknown staff account")
		}
		if _, err := svc.GroupBySlug(ctx, "half"); apperror.KindOf(err) != apperror.KindNotFound {
			t.Errorf("half-created group: %v", err)
		}
		var keys, entries int64
		if err := st.DB().Model(&model.SigningKey{}).Count(&keys).Error; err != nil {
			t.Fatal(err)
		}
		if err := st.DB().Model(&model.ModerationAction{}).Count(&entries).Error; err != nil {
			t.Fatal(err)
		}
		if keys != 1 || entries != 1 {
			t.Errorf("%d keys and %d log entries, want only the lobby's one of each", keys, entries)
		}
		if _, err := svc.CreateGroup(ctx, valid); err != nil {
			t.Errorf("valid group after the refusals: %v", err)
		}
	})
}

func TestListAndFindGroups(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := testenv.Groups(t, st)
		createOrganisation(t, st, "acme")
		createOrganisation(t, st, "beta")
		if all, err := svc.ListGroups(ctx, ""); err != nil || len(all) != 0 {
			t.Fatalf("no groups yet: %+v, %v", all, err)
		}
		for _, g := range []struct{ org, slug string }{{"beta", "news"}, {"acme", "lobby"}, {"acme", "chat"}} {
			if _, err := svc.CreateGroup(ctx, groups.NewGroup{OrganisationSlug: g.org, Slug: g.slug, Name: g.slug}); err != nil {
				t.Fatal(err)
			}
		}
		cases := []struct{ org, want string }{
			{"", "acme/chat acme/lobby beta/news"},
			{"acme", "acme/chat acme/lobby"},
			{"beta", "beta/news"},
		}
		for _, c := range cases {
			list, err := svc.ListGroups(ctx, c.org)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, g := range list {
				got = append(got, g.OrganisationSlug+"/"+g.Slug)
			}
			if strings.Join(got, " ") != c.want {
				t.Errorf("groups of %q: %v, want %s", c.org, got, c.want)
			}
		}
		_, err := svc.ListGroups(ctx, "nope")
		assertDomainError(t, err, apperror.KindNotFound, "organisation")
		_, err = svc.GroupBySlug(ctx, "nope")
		assertDomainError(t, err, apperror.KindNotFound, "group")
	})
}

func TestEnsureInstanceKey(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		// Several processes starting at once, each with its own service.
		keys := make([]model.SigningKey, 3)
		errs := make([]error, len(keys))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range keys {
			wg.Go(func() {
				svc := testenv.Groups(t, st)
				<-start
				keys[i], errs[i] = svc.EnsureInstanceKey(ctx)
			})
		}
		close(start)
		wg.Wait()
		for i := range keys {
			if errs[i] != nil {
				t.Fatalf("start %d: %v", i, errs[i])
			}
			if keys[i].ID != keys[0].ID {
				t.Errorf("start %d got key %s, start 0 got %s: want one key", i, keys[i].ID, keys[0].ID)
			}
		}
		again, err := testenv.Groups(t, st).EnsureInstanceKey(ctx)
		if err != nil || again.ID != keys[0].ID || !again.CreatedAt.Equal(keys[0].CreatedAt) {
			t.Errorf("later start: %+v, %v; want the same key", again, err)
		}
		var count int64
		if err := st.DB().Model(&model.SigningKey{}).Where("owner_kind = ?", model.OwnerInstance).Count(&count).Error; err != nil {
			t.Fatal(err)
		}
		if count != 1 {
			t.Errorf("%d instance keys stored, want 1", count)
		}
		key := keys[0]
		if key.OwnerKind != model.OwnerInstance || key.GroupID != nil || key.KeySuffix != model.MainKeySuffix {
			t.Errorf("instance key %+v", key)
		}
		if !parsePKCS8RSAKey(t, key.PrivatePEM).PublicKey.Equal(parseRSAPublicKey(t, key.PublicPEM)) {
			t.Error("instance key halves do not match")
		}
	})
}

func parseRSAPublicKey(t *testing.T, text string) *rsa.PublicKey {
	t.Helper()
	block, rest := pem.Decode([]byte(text))
	if block == nil || block.Type != "PUBLIC KEY" || len(strings.TrimSpace(string(rest))) != 0 {
		t.Fatalf("public key is not one PUBLIC KEY PEM block: %q", text)
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatalf("parse public key: %v", err)
	}
	rsaKey, ok := key.(*rsa.PublicKey)
	if !ok {
		t.Fatalf("public key is %T, want RSA", key)
	}
	return rsaKey
}

func parsePKCS8RSAKey(t *testing.T, text string) *rsa.PrivateKey {
	t.Helper()
	block, _ := pem.Decode([]byte(text))
	if block == nil || block.Type != "PRIVATE KEY" {
		t.Fatalf("private key is not a PKCS#8 PRIVATE KEY PEM block")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatalf("parse private key: %v", err)
	}
	rsaKey, ok := key.(*rsa.PrivateKey)
	if !ok {
		t.Fatalf("private key is %T, want RSA", key)
	}
	return rsaKey
}

func assertDomainError(t *testing.T, err error, kind apperror.Kind, field string) {
	t.Helper()
	var domainErr *apperror.Error
	if !errors.As(err, &domainErr) {
		t.Fatalf("got %v (%T), want a %s error", err, err, kind)
	}
	if domainErr.Kind != kind || domainErr.Field != field {
		t.Fatalf("got a %s error on %q (%v), want %s on %q", domainErr.Kind, domainErr.Field, err, kind, field)
	}
}
