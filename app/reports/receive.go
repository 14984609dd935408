package reports

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"strings"
	"unicode"

	"github.com/microcosm-cc/bluemonday"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// Flag is a report another server sent, as federation read it.
type Flag struct {
	ActivityIRI string
	Reporter    model.RemoteActor // who sent it: on Mastodon, its instance actor
	// Groups are the local groups the Flag names, or whose inbox it was delivered to.
	Groups []model.Group
	// Objects are the other ids the Flag names: accounts and posts.
	Objects []string
	// Content is the reason the reporter gave; markup is dropped.
	Content string
}

// concern is one group a Flag concerns and the posts of that group it names.
type concern struct {
	group model.Group
	posts []string
}

// ReceiveFlag files a report for each local group the Flag concerns: a group it names (or was sent
// to), a group holding a post it names, and every group the account it names follows or posted in.
// Each report lists the named posts of its own group and the ids Kring has no post for, never
// another group's posts. A redelivered Flag files nothing new; nor does one from a domain the
// group's organisation suspended. It returns the reports filed.
func (s *Service) ReceiveFlag(ctx context.Context, flag Flag) ([]model.Report, error) {
	objects := flag.Objects
	if len(objects) > maxObjects {
		objects = objects[:maxObjects]
	}
	reason := clipRunes(plainText(flag.Content), maxReason)
	var filed []model.Report
	err := s.store.Transaction(ctx, func(tx *store.Store) error {
		filed = nil
		target, concerns, unknown, err := sortObjects(ctx, tx, objects, flag.Groups)
		if err != nil {
			return err
		}
		for _, c := range concerns {
			report, err := s.fileFlag(ctx, tx, flag, c, target, append(c.posts, unknown...), reason)
			if err != nil {
				return err
			}
			if report.ID != "" {
				filed = append(filed, report)
			}
		}
		return nil
	})
	return filed, err
}

// sortObjects reads what the Flag's ids are: the account reported (the first account Kring knows,
// else the author of the first post it has), the groups concerned with their posts, and the ids
// that are neither.
func sortObjects(ctx context.Context, tx *store.Store, objects []string, named []model.Group) (*model.RemoteActor, []*concern, []string, error) {
	var concerns []*concern
	byGroup := map[string]*concern{}
	concernOf := func(group model.Group) *concern {
		if c, ok := byGroup[group.ID]; ok {
			return c
		}
		c := &concern{group: group}
		byGroup[group.ID] = c
		concerns = append(concerns, c)
		return c
	}
	for _, g := range named {
		concernOf(g)
	}
	var target *model.RemoteActor
	var author string
	var unknown []string
	for _, iri := range objects {
		actor, err := tx.RemoteActorByIRI(ctx, iri)
		if err == nil {
			if target == nil {
				target = &actor
			}
			continue
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, nil, nil, err
		}
		posts, err := tx.PostsOfObject(ctx, iri)
		if err != nil {
			return nil, nil, nil, err
		}
		if len(posts) == 0 {
			unknown = append(unknown, iri)
		}
		for _, post := range posts {
			group, err := tx.GroupByID(ctx, post.GroupID)
			if err != nil {
				return nil, nil, nil, err
			}
			c := concernOf(group)
			c.posts = append(c.posts, iri)
			if author == "" && post.AuthorActorID != nil {
				author = *post.AuthorActorID
			}
		}
	}
	if target == nil && author != "" {
		actor, err := tx.RemoteActorByID(ctx, author)
		if err != nil {
			return nil, nil, nil, err
		}
		target = &actor
	}
	if target != nil {
		ids, err := tx.GroupsWithActor(ctx, target.ID)
		if err != nil {
			return nil, nil, nil, err
		}
		for _, id := range ids {
			group, err := tx.GroupByID(ctx, id)
			if err != nil {
				return nil, nil, nil, err
			}
			concernOf(group)
		}
	}
	return target, concerns, unknown, nil
}

// fileFlag files one group's report of a Flag; it returns a zero report when the Flag was filed for
// the group before, or comes from a domain the group's organisation suspended.
func (s *Service) fileFlag(ctx context.Context, tx *store.Store, flag Flag, c *concern, target *model.RemoteActor, posts []string, reason string) (model.Report, error) {
	blocks, err := tx.DomainBlocksFor(ctx, flag.Reporter.Host, c.group.OrganisationID)
	if err != nil {
		return model.Report{}, err
	}
	if model.AnySuspension(blocks) {
		return model.Report{}, nil
	}
	postsJSON, err := json.Marshal(nonNil(posts))
	if err != nil {
		return model.Report{}, err
	}
	report := model.Report{OrganisationID: c.group.OrganisationID, GroupID: &c.group.ID, Source: model.ReportFromRemote,
		FlagActivityIRI: &flag.ActivityIRI, ReporterActorID: &flag.Reporter.ID, TargetPostIRIs: string(postsJSON),
		Content: reason, Status: model.ReportOpen}
	if target != nil {
		report.TargetActorID = &target.ID
	}
	report, created, err := tx.CreateReportOfFlag(ctx, report)
	if err != nil || !created {
		return model.Report{}, err
	}
	return report, s.notifyFiled(ctx, tx, report)
}

// stripAll drops every tag: a reason is shown as plain text. bluemonday parses the markup, so
// nothing a tag hides survives; its output is escaped text, which html.UnescapeString returns to
// what the reporter wrote.
var stripAll = bluemonday.StrictPolicy()

// plainText turns a reason, plain or HTML, into plain text without control characters other than
// line breaks and tabs.
func plainText(content string) string {
	if strings.ContainsAny(content, "<&") {
		content = strings.NewReplacer("<br>", "\n", "<br/>", "\n", "<br />", "\n", "</p>", "\n\n").Replace(content)
		content = html.UnescapeString(stripAll.Sanitize(content))
	}
	return strings.TrimSpace(strings.Map(dropControl, strings.ToValidUTF8(content, "")))
}

func dropControl(r rune) rune {
	if unicode.IsControl(r) && r != '\n' && r != '\t' {
		return -1
	}
	return r
}

// clipRunes cuts s to at most max characters.
func clipRunes(s string, max int) string {
	runes := []rune(s)
	if len(runes) <= max {
		return s
	}
	return strings.TrimSpace(string(runes[:max])) + "…"
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
