package moderation_test

import (
	"context"
	"testing"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/moderation"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

func TestNormaliseDomain(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"Spam.Example":      "spam.example",
		" spam.example. ":   "spam.example",
		"bücher.example":    "xn--bcher-kva.example",
		"https://x.example": "",
		"x.example/path":    "",
		"x.example:443":     "",
		"localhost":         "",
		"":                  "",
	}
	for in, want := range cases {
		got, err := moderation.NormaliseDomain(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("NormaliseDomain(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestBlockDomain(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if _, err := organisations.NewService(st).CreateOrganisation(ctx, "acme", "Acme"); err != nil {
			t.Fatal(err)
		}
		svc := moderation.NewService(st)
		if _, err := svc.BlockDomain(ctx, moderation.NewDomainBlock{Domain: "Spam.Example", Reason: "spam waves"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.BlockDomain(ctx, moderation.NewDomainBlock{OrganisationSlug: "acme", Domain: "spam.example", Severity: model.SeveritySilence}); err != nil {
			t.Fatalf("an organisation may block what the instance blocks too: %v", err)
		}
		cases := []struct {
			in   moderation.NewDomainBlock
			kind apperror.Kind
		}{
			{moderation.NewDomainBlock{Domain: "spam.example"}, apperror.KindConflict},
			{moderation.NewDomainBlock{Domain: "not a domain"}, apperror.KindInvalid},
			{moderation.NewDomainBlock{Domain: "x.example", Severity: "nuke"}, apperror.KindInvalid},
			{moderation.NewDomainBlock{Domain: "x.example", OrganisationSlug: "nope"}, apperror.KindNotFound},
		}
		for _, tc := range cases {
			if _, err := svc.BlockDomain(ctx, tc.in); apperror.KindOf(err) != tc.kind {
				t.Errorf("BlockDomain(%+v) = %v, want %s", tc.in, err, tc.kind)
			}
		}
		instance, err := svc.DomainBlocks(ctx, "")
		if err != nil || len(instance) != 1 || instance[0].Severity != model.SeveritySuspend {
			t.Fatalf("instance-wide blocks %+v %v", instance, err)
		}
		log, err := st.ModerationLog(ctx, store.ModerationLogFilter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		blocks := 0
		for _, entry := range log {
			if entry.Action == model.ActionDomainBlock && entry.TargetID == "spam.example" {
				blocks++
			}
		}
		if blocks != 2 {
			t.Errorf("want 2 domain.block log entries, got %d", blocks)
		}
	})
}
