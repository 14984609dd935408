package admin_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/moderation"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// TestDomainBlocksAddAndRemove: an organisation admin blocks and unblocks a domain for their
// organisation, each logged with who did it; an instance admin also blocks instance-wide, which an
// organisation's staff cannot lift.
func TestDomainBlocksAddAndRemove(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		b := s.loggedIn(acmeAdmin)
		status, page := b.get("/admin/domain-blocks")
		if status != http.StatusOK || !strings.Contains(page, "Domain blocks of Acme") || !strings.Contains(page, "No domains are blocked here") {
			t.Fatalf("page: %d %s", status, page)
		}
		if strings.Contains(page, "whole instance") {
			t.Error("an organisation admin is offered instance-wide blocks")
		}
		if status, _ := b.submit("/admin/domain-blocks", "/admin/domain-blocks", url.Values{"org": {"acme"}, "domain": {"Spam.Example"},
			"severity": {"silence"}, "reason": {"spam waves"}, "public_comment": {"Spam"}}); status != http.StatusSeeOther {
			t.Fatalf("add: %d", status)
		}
		_, page = b.get("/admin/domain-blocks?org=acme")
		for _, want := range []string{"spam.example", "silence", "spam waves", "are blocked (silence)", "/remove"} {
			if !strings.Contains(page, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		if status, _ := b.submit("/admin/domain-blocks", "/admin/domain-blocks", url.Values{"org": {"acme"}, "domain": {"spam.example"}}); status != http.StatusConflict {
			t.Errorf("blocking twice: %d", status)
		}
		if status, _ := b.submit("/admin/domain-blocks", "/admin/domain-blocks", url.Values{"org": {"acme"}, "domain": {"not a domain"}}); status != http.StatusBadRequest {
			t.Errorf("a bad domain: %d", status)
		}
		if status, _ := b.submit("/admin/domain-blocks", "/admin/domain-blocks", url.Values{"domain": {"x.example"}}); status != http.StatusBadRequest {
			t.Errorf("a form naming no organisation: %d", status)
		}
		block := s.blockOf("acme", "spam.example")
		if status, _ := b.submit("/admin/domain-blocks", "/admin/domain-blocks/"+block.ID+"/remove", url.Values{"reason": {"cleaned up"}}); status != http.StatusSeeOther {
			t.Fatalf("remove: %d", status)
		}
		if status, _ := b.submit("/admin/domain-blocks", "/admin/domain-blocks/"+block.ID+"/remove", nil); status != http.StatusNotFound {
			t.Errorf("removing twice: %d", status)
		}
		staff := s.staffID(acmeAdmin)
		for action, reason := range map[model.LogAction]string{model.ActionDomainBlock: "spam waves", model.ActionDomainUnblock: "cleaned up"} {
			entries, err := st.ModerationLog(context.Background(), store.ModerationLogFilter{Action: action})
			if err != nil || len(entries) != 1 || entries[0].Reason != reason || entries[0].StaffAccountID == nil || *entries[0].StaffAccountID != staff {
				t.Errorf("%s logged: %+v %v", action, entries, err)
			}
		}

		root := s.loggedIn(instanceAdmin)
		_, page = root.get("/admin/domain-blocks")
		if !strings.Contains(page, "Domain blocks of The whole instance") || !strings.Contains(page, "?org=other") {
			t.Errorf("an instance admin starts at the instance's blocks, with every organisation a link away: %s", page)
		}
		if status, _ := root.submit("/admin/domain-blocks", "/admin/domain-blocks", url.Values{"org": {"instance"}, "domain": {"evil.example"}}); status != http.StatusSeeOther {
			t.Fatalf("instance-wide block: %d", status)
		}
		instanceBlock := s.blockOf("", "evil.example")
		if status, _ := b.submit("/admin/domain-blocks", "/admin/domain-blocks/"+instanceBlock.ID+"/remove", nil); status != http.StatusForbidden {
			t.Errorf("an organisation admin lifts an instance-wide block: %d", status)
		}
		if status, _ := b.get("/admin/domain-blocks?org=instance"); status != http.StatusForbidden {
			t.Errorf("an organisation admin sees instance-wide blocks: %d", status)
		}
		if status, _ := b.get("/admin/domain-blocks?org=nope"); status != http.StatusNotFound {
			t.Errorf("an unknown organisation: %d", status)
		}
	})
}

// TestDomainBlocksImportAndExport: a Mastodon domain_blocks.csv uploaded applies its good rows and
// names the bad ones by line; the export downloads the organisation's blocks in the same format;
// files too large or missing are refused.
func TestDomainBlocksImportAndExport(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.Postgres(t))
	b := s.loggedIn(acmeOwner)
	file := "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n" +
		"spam.example,suspend,false,false,Spam waves,false\n" +
		"<b>bad</b>,suspend,false,false,,false\n" +
		"quiet.example,silence,true,false,,false\n" +
		"media.example,noop,true,false,,false\n"
	status, page := b.upload("/admin/domain-blocks", "/admin/domain-blocks/import", url.Values{"org": {"acme"}}, "blocks.csv", file)
	if status != http.StatusOK {
		t.Fatalf("import: %d %s", status, page)
	}
	for _, want := range []string{"Import of blocks.csv", "2 domains blocked, 1 row left out, 1 row refused", "Line 3 (&lt;b&gt;bad&lt;/b&gt;)", "Line 5 (media.example)", "quiet.example"} {
		if !strings.Contains(page, want) {
			t.Errorf("import page lacks %q", want)
		}
	}
	if strings.Contains(page, "<b>bad</b>") {
		t.Error("the import page shows a file's markup")
	}
	if blocks, err := s.store.ListDomainBlocks(context.Background(), ""); err != nil {
		t.Fatal(err)
	} else if len(blocks) != 0 {
		t.Errorf("an organisation's import blocked instance-wide: %+v", blocks)
	}

	resp, err := b.client.Get(s.server.URL + "/admin/domain-blocks/export?org=acme")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n" +
		"quiet.example,silence,false,false,,false\nspam.example,suspend,false,false,Spam waves,false\n"
	if resp.StatusCode != http.StatusOK || string(body) != want || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		resp.Header.Get("Content-Disposition") != `attachment; filename="domain_blocks-acme.csv"` {
		t.Errorf("export: %d %q %v", resp.StatusCode, body, resp.Header)
	}

	for name, tc := range map[string]struct {
		file   string
		status int
	}{
		"too large":    {"#domain\n" + strings.Repeat("x", moderation.MaxImportBytes), http.StatusBadRequest},
		"not that csv": {"domain,severity\nspam.example,suspend\n", http.StatusBadRequest},
	} {
		if status, _ := b.upload("/admin/domain-blocks", "/admin/domain-blocks/import", url.Values{"org": {"acme"}}, "x.csv", tc.file); status != tc.status {
			t.Errorf("%s: %d, want %d", name, status, tc.status)
		}
	}
	if status, _ := b.submit("/admin/domain-blocks", "/admin/domain-blocks/import", url.Values{"org": {"acme"}}); status != http.StatusBadRequest {
		t.Errorf("no file: %d", status)
	}
	for _, who := range []string{otherAdmin, lobbyMod} {
		if status, _ := s.loggedIn(who).upload("/admin", "/admin/domain-blocks/import", url.Values{"org": {"acme"}}, "x.csv", file); status != http.StatusForbidden {
			t.Errorf("import as %s: %d", who, status)
		}
	}
	if status, _ := s.browser().postForm("/admin/domain-blocks/import", url.Values{"org": {"acme"}}); status != http.StatusUnauthorized {
		t.Errorf("import logged out: %d", status)
	}
}

// TestDomainBlocksRoles: organisation owners and admins and instance admins manage acme's blocks;
// another organisation's admin and moderators are refused.
func TestDomainBlocksRoles(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.Postgres(t))
	ctx := context.Background()
	unblocked := func(path string) func() string {
		return func() string {
			blocks, err := s.store.ListDomainBlocks(ctx, s.lobby.OrganisationID)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range blocks {
				if err := s.store.DeleteDomainBlock(ctx, b.ID); err != nil {
					t.Fatal(err)
				}
			}
			return path
		}
	}
	blocked := func() string {
		block, err := moderation.NewService(s.store).BlockDomain(ctx, moderation.NewDomainBlock{OrganisationSlug: "acme",
			Domain: model.NewID()[24:] + ".example"})
		if err != nil {
			t.Fatal(err)
		}
		return "/admin/domain-blocks/" + block.ID + "/remove"
	}
	checkOrganisationRoles(t, s, []roleRoute{
		{name: "list", target: unblocked("/admin/domain-blocks?org=acme")},
		{name: "export", target: unblocked("/admin/domain-blocks/export?org=acme")},
		{name: "add", post: true, target: unblocked("/admin/domain-blocks"), form: url.Values{"org": {"acme"}, "domain": {"spam.example"}}},
		{name: "remove", post: true, target: blocked},
	}, []string{acmeAdmin, acmeOwner, instanceAdmin}, []string{otherAdmin, lobbyMod, deskMod})
}

// blockOf finds a block of an organisation ("" for instance-wide) by domain.
func (s *site) blockOf(orgSlug, domain string) model.DomainBlock {
	s.t.Helper()
	blocks, err := moderation.NewService(s.store).DomainBlocks(context.Background(), orgSlug)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, b := range blocks {
		if b.Domain == domain {
			return b
		}
	}
	s.t.Fatalf("%s is not blocked by %q", domain, orgSlug)
	return model.DomainBlock{}
}

// upload posts a multipart form with one file, and the CSRF token of the page at from.
func (b *browser) upload(from, path string, fields url.Values, fileName, content string) (int, string) {
	b.t.Helper()
	_, page := b.get(from)
	token := csrfInput.FindStringSubmatch(page)
	if token == nil {
		b.t.Fatalf("no CSRF token on %s", from)
	}
	var body bytes.Buffer
	form := multipart.NewWriter(&body)
	_ = form.WriteField("csrf", token[1])
	for k, vs := range fields {
		for _, v := range vs {
			_ = form.WriteField(k, v)
		}
	}
	part, _ := form.CreateFormFile("file", fileName)
	_, _ = part.Write([]byte(content))
	_ = form.Close()
	resp, err := b.client.Post(b.site.server.URL+path, form.FormDataContentType(), &body)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	page2, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(page2)
}

// checkOrganisationRoles is checkRoles for routes of an organisation rather than a group: refusals
// must leave the whole moderation log without a staff member's entry.
func checkOrganisationRoles(t *testing.T, s *site, routes []roleRoute, allowed, refused []string) {
	t.Helper()
	countLog := func() int64 {
		var n int64
		if err := s.store.DB().Model(&model.ModerationAction{}).Where("staff_account_id IS NOT NULL").Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := countLog()
	checkRoles(t, s, s.lobby, routes, nil, refused)
	if after := countLog(); after != before {
		t.Errorf("refused requests changed the moderation log: %d entries, then %d", before, after)
	}
	checkRoles(t, s, s.lobby, routes, allowed, nil)
}
