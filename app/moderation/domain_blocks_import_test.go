package moderation_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/moderation"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// TestImportAndExportDomainBlocks: an import applies the good rows, leaves out what is already
// blocked, reports bad rows by line, and logs each block and the import; the export is Mastodon's
// format and imports back as nothing new.
func TestImportAndExportDomainBlocks(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if _, err := organisations.NewService(st).CreateOrganisation(ctx, "acme", "Acme"); err != nil {
			t.Fatal(err)
		}
		svc := moderation.NewService(st)
		if _, err := svc.BlockDomain(ctx, moderation.NewDomainBlock{OrganisationSlug: "acme", Domain: "old.example"}); err != nil {
			t.Fatal(err)
		}
		file := "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n" +
			"spam.example,suspend,false,false,Spam waves,false\n" +
			"old.example,silence,false,false,,false\n" +
			"quiet.example,silence,false,false,\"Loud, and \"\"funny\"\"\",true\n" +
			"not a domain,suspend,false,false,,false\n"
		result, err := svc.ImportDomainBlocks(ctx, moderation.DomainBlockImport{OrganisationSlug: "acme",
			FileName: `C:\Users\mod\domain_blocks.csv`, File: strings.NewReader(file)})
		if err != nil {
			t.Fatal(err)
		}
		if len(result.Added) != 2 || len(result.Skipped) != 1 || result.Skipped[0].Line != 3 ||
			len(result.Refused) != 1 || result.Refused[0].Line != 5 {
			t.Fatalf("result %+v", result)
		}
		if !strings.HasPrefix(result.Added[0].Reason, "Imported from domain_blocks.csv on ") {
			t.Errorf("default reason %q", result.Added[0].Reason)
		}
		var exported bytes.Buffer
		if err := svc.ExportDomainBlocks(ctx, "acme", &exported); err != nil {
			t.Fatal(err)
		}
		want := "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n" +
			"old.example,suspend,false,false,,false\n" +
			"quiet.example,silence,false,false,\"Loud, and \"\"funny\"\"\",false\n" +
			"spam.example,suspend,false,false,Spam waves,false\n"
		if exported.String() != want {
			t.Errorf("export:\n%s\nwant:\n%s", exported.String(), want)
		}
		again, err := svc.ImportDomainBlocks(ctx, moderation.DomainBlockImport{OrganisationSlug: "acme", FileName: "x.csv",
			File: &exported, Reason: "again"})
		if err != nil || len(again.Added) != 0 || len(again.Skipped) != 3 {
			t.Errorf("re-import of the export: %+v %v", again, err)
		}
		instance, err := svc.DomainBlocks(ctx, "")
		if err != nil || len(instance) != 0 {
			t.Errorf("an organisation's import must not block instance-wide: %+v %v", instance, err)
		}
		log, err := st.ModerationLog(ctx, store.ModerationLogFilter{})
		if err != nil {
			t.Fatal(err)
		}
		counts := map[model.LogAction]int{}
		for _, e := range log {
			counts[e.Action]++
		}
		if counts[model.ActionDomainBlock] != 3 || counts[model.ActionDomainImport] != 2 {
			t.Errorf("log %v", counts)
		}
		if log[0].Action != model.ActionDomainImport || log[0].TargetID != "x.csv" || log[0].Metadata != `{"added":0,"refused":0,"skipped":3}` {
			t.Errorf("newest entry %+v", log[0])
		}
		if _, err := svc.ImportDomainBlocks(ctx, moderation.DomainBlockImport{OrganisationSlug: "nope", File: strings.NewReader(file)}); apperror.KindOf(err) != apperror.KindNotFound {
			t.Errorf("unknown organisation: %v", err)
		}
	})
}

// TestUnblock lifts a block, logs who did it and why, and finds nothing the second time.
func TestUnblock(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := moderation.NewService(st)
		block, err := svc.BlockDomain(ctx, moderation.NewDomainBlock{Domain: "spam.example", Reason: "spam"})
		if err != nil {
			t.Fatal(err)
		}
		lifted, err := svc.Unblock(ctx, block.ID, nil, "they cleaned up")
		if err != nil || lifted.Domain != "spam.example" {
			t.Fatalf("unblock: %+v %v", lifted, err)
		}
		if blocks, err := st.DomainBlocksFor(ctx, "spam.example", ""); err != nil {
			t.Fatal(err)
		} else if len(blocks) != 0 {
			t.Errorf("still blocked: %+v", blocks)
		}
		if _, err := svc.Unblock(ctx, block.ID, nil, ""); apperror.KindOf(err) != apperror.KindNotFound {
			t.Errorf("second unblock: %v", err)
		}
		log, err := st.ModerationLog(ctx, store.ModerationLogFilter{Action: model.ActionDomainUnblock})
		if err != nil || len(log) != 1 || log[0].TargetID != "spam.example" || log[0].Reason != "they cleaned up" || log[0].OrganisationID != nil {
			t.Errorf("log %+v %v", log, err)
		}
	})
}
