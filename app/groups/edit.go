package groups

import (
	"context"
	"errors"
	"fmt"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// Settings are what staff edit of a group; every field is written as given.
type Settings struct {
	Slug             string
	Name             string
	Summary          string
	Rules            string
	PostingPolicy    model.PostingPolicy // empty means followers
	ApproveFollowers bool
	Discoverable     bool
}

// SettingsOf are a group's current settings, as an edit form starts from them.
func SettingsOf(g model.Group) Settings {
	return Settings{Slug: g.Slug, Name: g.Name, Summary: g.Summary, Rules: g.Rules, PostingPolicy: g.PostingPolicy,
		ApproveFollowers: g.ApproveFollowers, Discoverable: g.Discoverable}
}

// setting is one setting of a group an edit may change, named as the moderation log names it;
// public when it shows in the actor document, so other servers must be told. write sets its new
// value in a change.
type setting struct {
	name     string
	from, to any
	public   bool
	write    func(*store.GroupChange)
}

func settingsChanged(from model.Group, to Settings) []setting {
	all := []setting{
		{"slug", from.Slug, to.Slug, true, func(c *store.GroupChange) { c.Slug = store.To(to.Slug) }},
		{"name", from.Name, to.Name, true, func(c *store.GroupChange) { c.Name = store.To(to.Name) }},
		{"summary", from.Summary, to.Summary, true, func(c *store.GroupChange) { c.Summary = store.To(to.Summary) }},
		{"rules", from.Rules, to.Rules, false, func(c *store.GroupChange) { c.Rules = store.To(to.Rules) }},
		{"posting_policy", from.PostingPolicy, to.PostingPolicy, false,
			func(c *store.GroupChange) { c.PostingPolicy = store.To(to.PostingPolicy) }},
		{"approve_followers", from.ApproveFollowers, to.ApproveFollowers, true,
			func(c *store.GroupChange) { c.ApproveFollowers = store.To(to.ApproveFollowers) }},
		{"discoverable", from.Discoverable, to.Discoverable, true,
			func(c *store.GroupChange) { c.Discoverable = store.To(to.Discoverable) }},
	}
	var changed []setting
	for _, s := range all {
		if s.from != s.to {
			changed = append(changed, s)
		}
	}
	return changed
}

// EditGroup gives the group with id groupID new settings, records a group.edit entry with what
// changed (from and to), and sends followers an Update of the group's actor when what other servers
// show of it changed, all in one transaction; then it brings the rules post in step. The slug may change only until other servers know the
// group: it is part of every IRI they hold. When nothing changes nothing is written.
func (s *Service) EditGroup(ctx context.Context, groupID string, in Settings, staffID string) (model.Group, error) {
	in, err := checkSettings(in)
	if err != nil {
		return model.Group{}, err
	}
	edited, err := s.changeGroup(ctx, groupID, staffID, func(tx *store.Store, current model.Group) (groupChange, error) {
		change := groupChange{entry: store.LogEntry{Action: model.ActionGroupEdit, Metadata: map[string]any{}}}
		for _, c := range settingsChanged(current, in) {
			c.write(&change.write)
			change.entry.Metadata[c.name] = map[string]any{"from": c.from, "to": c.to}
			change.public = change.public || c.public
		}
		if in.Slug != current.Slug {
			return change, slugMayChange(ctx, tx, current)
		}
		return change, nil
	})
	if err != nil {
		return model.Group{}, err
	}
	return edited, s.syncRulesPost(ctx, edited, staffID)
}

// groupChange is what one change of a group writes: the group's new values, the moderation log entry
// saying so, and whether other servers must be sent the changed actor.
type groupChange struct {
	write  store.GroupChange
	entry  store.LogEntry
	public bool
}

// changeGroup loads the group, lets decide what to change, and writes that with its log entry and,
// when public, the Update of the actor, all in one transaction. A change that sets nothing writes
// nothing. It returns the group as it is afterwards.
func (s *Service) changeGroup(ctx context.Context, groupID, staffID string, decide func(tx *store.Store, current model.Group) (groupChange, error)) (model.Group, error) {
	var group model.Group
	err := s.store.Transaction(ctx, func(tx *store.Store) error {
		current, err := groupByID(ctx, tx, groupID)
		if err != nil {
			return err
		}
		group = current
		change, err := decide(tx, current)
		if err != nil || change.write.Empty() {
			return err
		}
		err = tx.UpdateGroup(ctx, groupID, change.write)
		if errors.Is(err, store.ErrDuplicate) {
			slug, _ := change.write.Slug.Get()
			return apperror.Conflict("slug", "a group with slug %q already exists on this instance", slug)
		}
		if err != nil {
			return err
		}
		if group, err = tx.GroupByID(ctx, groupID); err != nil {
			return err
		}
		if err := recordGroupAction(ctx, tx, group, staffID, change.entry); err != nil {
			return err
		}
		if change.public {
			return s.publishActor(ctx, tx, group)
		}
		return nil
	})
	if err != nil {
		return model.Group{}, err
	}
	return group, nil
}

// checkSettings checks and tidies settings as CreateGroup does for a new group.
func checkSettings(in Settings) (Settings, error) {
	if err := textinput.Slug("slug", in.Slug); err != nil {
		return in, err
	}
	var err error
	if in.Name, err = textinput.Name("name", in.Name, true); err != nil {
		return in, err
	}
	if in.Summary, err = textinput.Text("summary", in.Summary, maxSummaryLength); err != nil {
		return in, err
	}
	if in.Rules, err = textinput.Text("rules", in.Rules, maxRulesLength); err != nil {
		return in, err
	}
	in.PostingPolicy, err = postingPolicyOrDefault(in.PostingPolicy)
	return in, err
}

// SlugEditable reports whether a group's slug may still change: only while no other server can
// know the group.
func (s *Service) SlugEditable(ctx context.Context, group model.Group) (bool, error) {
	federated, err := s.store.GroupHasFederated(ctx, group)
	return !federated, err
}

func slugMayChange(ctx context.Context, tx *store.Store, group model.Group) error {
	federated, err := tx.GroupHasFederated(ctx, group)
	if err != nil {
		return err
	}
	if federated {
		return apperror.Conflict("slug", "cannot change once other servers know the group: it is part of the group's address")
	}
	return nil
}

// publishActor federates the group's changed actor to its followers; an archived group's actor is
// gone (410) and a service without a publisher (the command line) federates nothing.
func (s *Service) publishActor(ctx context.Context, tx *store.Store, group model.Group) error {
	if s.publisher == nil || group.ArchivedAt != nil {
		return nil
	}
	if err := s.publisher.UpdateGroupActor(ctx, tx, group); err != nil {
		return fmt.Errorf("federate the update of group %s: %w", group.Slug, err)
	}
	return nil
}

// groupByID loads a group, NotFound when there is none.
func groupByID(ctx context.Context, tx *store.Store, id string) (model.Group, error) {
	group, err := tx.GroupByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return model.Group{}, &apperror.Error{Kind: apperror.KindNotFound, Field: "group", Message: "no such group", Cause: err}
	}
	return group, err
}
