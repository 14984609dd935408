package conversations_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// campaignOf stores a campaign of the organisation directly: the campaigns service's own rules are
// tested there.
func campaignOf(t *testing.T, st *store.Store, organisationID, name, hashtag string, archived bool) model.Campaign {
	t.Helper()
	c := model.Campaign{OrganisationID: organisationID, Name: name, Hashtag: hashtag}
	if archived {
		now := time.Now()
		c.ArchivedAt = &now
	}
	created, err := st.CreateCampaign(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return created
}

// A post published in a campaign carries its hashtag once, as a last paragraph unless the writer
// wrote it already (in any case), and names the campaign; in every group it goes out in.
func TestCampaignPostsCarryTheHashtagOnce(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		f := newFixture(t, st)
		ctx := context.Background()
		desk, err := testenv.Groups(t, st).CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "desk", Name: "Desk"})
		if err != nil {
			t.Fatal(err)
		}
		spring := campaignOf(t, st, f.group.OrganisationID, "Spring", "Spring2026", false)
		untagged := campaignOf(t, st, f.group.OrganisationID, "Quiet", "", false)
		for _, c := range []struct {
			campaign  model.Campaign
			text      string
			wantText  string // the post's text as published (its HTML links the hashtags)
			wantCount int    // occurrences of the text #spring2026, in any case
		}{
			{spring, "Doors open at nine.", "Doors open at nine.\n\n#Spring2026", 1},
			{spring, "Doors open, #spring2026!", "Doors open, #spring2026!", 1},
			{spring, "About #Spring2026x only", "About #Spring2026x only\n\n#Spring2026", 2}, // one inside the longer tag
			{untagged, "No tag here.", "No tag here.", 0},
		} {
			posts, err := f.talk.PublishInGroups(ctx, []string{f.group.ID, desk.ID}, f.staffID,
				conversations.Draft{Text: c.text, CampaignID: c.campaign.ID})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range posts {
				stored, err := st.PostByID(ctx, p.ID)
				if err != nil {
					t.Fatal(err)
				}
				if stored.SourceText != c.wantText || stored.CampaignID == nil || *stored.CampaignID != c.campaign.ID {
					t.Errorf("%q: stored %q in campaign %v, want %q in %s", c.text, stored.SourceText, stored.CampaignID, c.wantText, c.campaign.ID)
				}
				if n := strings.Count(strings.ToLower(stored.SourceText), "#spring2026"); n != c.wantCount {
					t.Errorf("%q: the hashtag %d times", c.text, n)
				}
				parts, err := st.PartsOfPost(ctx, p.ID)
				if err != nil {
					t.Fatal(err)
				}
				tagged := false
				for _, h := range parts.Hashtags {
					tagged = tagged || h.Tag == "spring2026"
				}
				if tagged != (c.wantCount > 0) || tagged != strings.Contains(stored.ContentHTML, `?tag=spring2026" class="mention hashtag"`) {
					t.Errorf("%q: the post's hashtags %+v, its HTML %s", c.text, parts.Hashtags, stored.ContentHTML)
				}
			}
		}
	})
}

// A post may only name an open campaign of its group's organisation; refused, nothing goes out.
func TestPostsRefuseCampaignsTheyMayNotName(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		f := newFixture(t, st)
		ctx := context.Background()
		other, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "other", Name: "Other"})
		if err != nil {
			t.Fatal(err)
		}
		foreign := campaignOf(t, st, other.ID, "Theirs", "theirs", false)
		archived := campaignOf(t, st, f.group.OrganisationID, "Over", "over", true)
		for name, id := range map[string]string{"another organisation's": foreign.ID, "archived": archived.ID,
			"unknown": model.NewID(), "not text": "x\x00y"} {
			_, err := f.talk.PublishAsGroup(ctx, f.group.ID, f.staffID, conversations.Draft{Text: "Hello", CampaignID: id})
			if apperror.KindOf(err) != apperror.KindInvalid {
				t.Errorf("%s campaign: %v, want invalid", name, err)
			}
		}
		posts, err := st.ListPosts(ctx, store.PostFilter{GroupID: f.group.ID})
		if err != nil || len(posts) != 0 {
			t.Errorf("%d posts stored after refusals (%v)", len(posts), err)
		}
	})
}
