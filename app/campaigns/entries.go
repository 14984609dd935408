package campaigns

import (
	"encoding/json"
	"sort"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// EntryKind says what a calendar or campaign entry is.
type EntryKind string

const (
	// EntryPublication is one text the groups published, in one group or several at once.
	EntryPublication EntryKind = "publication"
	EntryEvent       EntryKind = "event"
	// EntryDraft is a draft in review or scheduled: it has not gone out yet.
	EntryDraft EntryKind = "draft"
)

// excerptLength is how much of a post's or draft's text an entry shows.
const excerptLength = 120

// GroupRef names a group an entry is of.
type GroupRef struct{ Slug, Name string }

// CampaignRef names the campaign an entry belongs to.
type CampaignRef struct{ ID, Name, Hashtag string }

// Entry is one thing on the calendar or a campaign's page: a publication (its groups' posts), an
// event, or a draft waiting to go out.
type Entry struct {
	Kind   EntryKind
	At     time.Time // when it went out, starts, or is to go out (zero when Unset)
	Unset  bool      // a draft in review with no time yet
	Title  string    // the event's title, or the beginning of the post's or draft's text
	Groups []GroupRef
	// Campaign is nil when the entry belongs to none.
	Campaign *CampaignRef
	// EventID is the event's (EntryEvent), Cancelled whether it is.
	EventID   string
	Cancelled bool
	// DraftID and DraftState are the draft's (EntryDraft).
	DraftID    string
	DraftState model.DraftState
}

// campaignRef is the entry's campaign from a row's label.
func campaignRef(label store.CampaignLabel) *CampaignRef {
	if label.CampaignID == nil {
		return nil
	}
	return &CampaignRef{ID: *label.CampaignID, Name: label.CampaignName, Hashtag: label.CampaignHashtag}
}

// publicationEntries makes one entry per publication of posts, in the order their first posts come,
// naming every group it went out in (of those listed).
func publicationEntries(posts []store.SentGroupPost) []Entry {
	var entries []Entry
	index := map[string]int{}
	for _, p := range posts {
		i, seen := index[p.PublicationKey]
		if !seen {
			i = len(entries)
			index[p.PublicationKey] = i
			title := p.Summary
			if title == "" {
				title = textinput.Excerpt(textinput.PlainText(p.ContentHTML), excerptLength)
			}
			entries = append(entries, Entry{Kind: EntryPublication, At: p.PublishedAt, Title: title, Campaign: campaignRef(p.CampaignLabel)})
		}
		entries[i].Groups = append(entries[i].Groups, GroupRef{Slug: p.GroupSlug, Name: p.GroupName})
		if p.PublishedAt.Before(entries[i].At) {
			entries[i].At = p.PublishedAt
		}
	}
	return entries
}

// eventEntries makes one entry per event.
func eventEntries(events []store.EventOfGroup) []Entry {
	entries := make([]Entry, 0, len(events))
	for _, e := range events {
		campaign := campaignRef(store.CampaignLabel{CampaignID: e.CampaignID, CampaignName: e.CampaignName, CampaignHashtag: e.CampaignHashtag})
		entries = append(entries, Entry{Kind: EntryEvent, At: e.StartsAt, Title: e.Title, Groups: []GroupRef{{Slug: e.GroupSlug, Name: e.GroupName}},
			Campaign: campaign, EventID: e.ID, Cancelled: e.Status == model.EventCancelled})
	}
	return entries
}

// draftEntries makes one entry per draft, naming each of its groups listed.
func draftEntries(rows []store.WaitingDraftGroup) []Entry {
	var entries []Entry
	index := map[string]int{}
	for _, d := range rows {
		i, seen := index[d.DraftID]
		if !seen {
			i = len(entries)
			index[d.DraftID] = i
			entry := Entry{Kind: EntryDraft, Title: draftExcerpt(d.Content), Campaign: campaignRef(d.CampaignLabel),
				DraftID: d.DraftID, DraftState: d.State, Unset: d.PublishAt == nil}
			if d.PublishAt != nil {
				entry.At = *d.PublishAt
			}
			entries = append(entries, entry)
		}
		entries[i].Groups = append(entries[i].Groups, GroupRef{Slug: d.GroupSlug, Name: d.GroupName})
	}
	return entries
}

// draftExcerpt is the beginning of a draft's text. A draft keeps the writer's form as JSON; its
// text field is read when there is one, and a draft whose form reads otherwise is shown untitled
// rather than refused: the calendar only glimpses it.
func draftExcerpt(content string) string {
	var form map[string]any
	if json.Unmarshal([]byte(content), &form) != nil {
		return ""
	}
	for _, key := range []string{"Text", "text"} {
		if text, ok := form[key].(string); ok {
			return textinput.Excerpt(text, excerptLength)
		}
	}
	return ""
}

// sortEntries orders entries by time, drafts without one last, and otherwise keeps their order.
func sortEntries(entries []Entry) {
	sort.SliceStable(entries, func(i, j int) bool {
		if entries[i].Unset != entries[j].Unset {
			return !entries[i].Unset
		}
		return entries[i].At.Before(entries[j].At)
	})
}
