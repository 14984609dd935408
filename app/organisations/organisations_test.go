package organisations

import (
	"context"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

func TestCreateOrganisation(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := testService(st)
		created, err := svc.CreateOrganisation(ctx, "acme_2", "  Acme Ltd  ")
		if err != nil {
			t.Fatal(err)
		}
		if created.Name != "Acme Ltd" || created.ID == "" {
			t.Errorf("created %+v, want the name trimmed and an id", created)
		}
		found, err := svc.OrganisationBySlug(ctx, "acme_2")
		if err != nil {
			t.Fatal(err)
		}
		if found.ID != created.ID || !found.CreatedAt.Equal(created.CreatedAt) || !found.UpdatedAt.Equal(created.UpdatedAt) {
			t.Errorf("read back %+v, want %+v", found, created)
		}

		refused := []struct {
			name, slug, orgName string
			kind                apperror.Kind
			field               string
		}{
			{"taken slug", "acme_2", "Other", apperror.KindConflict, "slug"},
			{"empty slug", "", "Acme", apperror.KindInvalid, "slug"},
			{"uppercase", "Acme", "Acme", apperror.KindInvalid, "slug"},
			{"hyphen", "acme-ltd", "Acme", apperror.KindInvalid, "slug"},
			{"leading underscore", "_acme", "Acme", apperror.KindInvalid, "slug"},
			{"space", "acme ltd", "Acme", apperror.KindInvalid, "slug"},
			{"non-ASCII", "åcme", "Acme", apperror.KindInvalid, "slug"},
			{"31 characters", strings.Repeat("a", 31), "Acme", apperror.KindInvalid, "slug"},
			{"reserved", "admin", "Acme", apperror.KindInvalid, "slug"},
			{"reserved nodeinfo", "nodeinfo", "Acme", apperror.KindInvalid, "slug"},
			{"empty name", "fresh", "", apperror.KindInvalid, "name"},
			{"blank name", "fresh", " \t ", apperror.KindInvalid, "name"},
			{"101-character name", "fresh", strings.Repeat("é", 101), apperror.KindInvalid, "name"},
			{"line break in name", "fresh", "Acme\nLtd", apperror.KindInvalid, "name"},
			{"NUL in name", "fresh", "Acme\x00", apperror.KindInvalid, "name"},
		}
		for _, c := range refused {
			t.Run(c.name, func(t *testing.T) {
				_, err := svc.CreateOrganisation(ctx, c.slug, c.orgName)
				assertDomainError(t, err, c.kind, c.field)
			})
		}

		// Limits are allowed themselves.
		if _, err := svc.CreateOrganisation(ctx, strings.Repeat("a", 30), strings.Repeat("é", 100)); err != nil {
			t.Errorf("30-character slug and 100-character name: %v", err)
		}
		if _, err := svc.CreateOrganisation(ctx, "0rg", "Digits first"); err != nil {
			t.Errorf("slug starting with a digit: %v", err)
		}
	})
}

func TestListAndFindOrganisations(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := testService(st)
		if orgs, err := svc.ListOrganisations(ctx); err != nil || len(orgs) != 0 {
			t.Fatalf("empty instance: got %v, %v", orgs, err)
		}
		for _, slug := range []string{"zeta", "acme", "mid"} {
			if _, err := svc.CreateOrganisation(ctx, slug, strings.ToUpper(slug)); err != nil {
				t.Fatal(err)
			}
		}
		orgs, err := svc.ListOrganisations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var slugs []string
		for _, o := range orgs {
			slugs = append(slugs, o.Slug)
		}
		if strings.Join(slugs, ",") != "acme,mid,zeta" {
			t.Errorf("listed %v, want them ordered by slug", slugs)
		}
		_, err = svc.OrganisationBySlug(ctx, "nope")
		assertDomainError(t, err, apperror.KindNotFound, "organisation")
	})
}
