package community

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strings"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// DefaultWelcome is the welcome of a group that has not written its own.
const DefaultWelcome = `Welcome to {group}, {name}!

Everything you post that mentions the group is shared with all its members. Before your first post, please read the rules: {rules}`

// MaxWelcomeText bounds a welcome: it is read in a notification.
const MaxWelcomeText = 5000

// Placeholders are what a welcome's text may hold, replaced for each member.
var Placeholders = []string{"{name}", "{group}", "{rules}", "{introductions}"}

// CheckWelcomeText returns the text trimmed, with a browser's CRLF line ends as LF, or why it will
// not do.
func CheckWelcomeText(text string) (string, error) {
	return textinput.Text("welcome", strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n")), MaxWelcomeText)
}

// Welcome sends group's welcome to a member whose follow was just accepted, unless the group's
// welcomes are off or she was welcomed before (once per member and group, never on a re-follow). It
// runs in tx, the transaction that accepts the follow: the welcome is queued and logged if and only
// if the accept commits.
func (s *Service) Welcome(ctx context.Context, tx *store.Store, group model.Group, member model.RemoteActor) error {
	if !group.WelcomeEnabled {
		return nil
	}
	message := s.messenger.NewMessage(group)
	message.ContentHTML = s.Render(group, member)
	claimed, err := tx.ClaimWelcome(ctx, model.Welcome{GroupID: group.ID, RemoteActorID: member.ID, ActivityIRI: message.ActivityIRI,
		ObjectIRI: message.ObjectIRI, ContentHTML: message.ContentHTML})
	if err != nil || !claimed {
		return err
	}
	if err := s.messenger.SendDirect(ctx, tx, group, member, message); err != nil {
		return fmt.Errorf("welcome %s to %s: %w", member.IRI, group.Slug, err)
	}
	return tx.RecordMemberDecision(ctx, group, nil, model.ActionMemberWelcome, "", member, map[string]any{"activity": message.ActivityIRI})
}

// Render is the welcome member receives from group, as HTML: the group's text (or the default) with
// its placeholders filled in, led by a mention of her as Mastodon writes one, so every app shows
// whom the message is for.
func (s *Service) Render(group model.Group, member model.RemoteActor) string {
	text := group.WelcomeText
	if strings.TrimSpace(text) == "" {
		text = DefaultWelcome
	}
	// With no introductions thread, {introductions} points to the group's page, where she finds
	// the group's posts.
	introductions := s.pages.GroupActor(group.Slug)
	if group.IntroductionsPostID != nil {
		introductions = s.pages.GroupPost(group.Slug, *group.IntroductionsPostID)
	}
	body := strings.NewReplacer(
		"{name}", html.EscapeString(member.Name()),
		"{group}", html.EscapeString(group.Name),
		"{rules}", link(s.pages.GroupRules(group.Slug)),
		"{introductions}", link(introductions),
	).Replace(textinput.TextToHTML(text)) // placeholders hold no character the escaping changes
	return addressedTo(member, body)
}

// link is an address as a link showing itself.
func link(address string) string {
	return `<a href="` + html.EscapeString(address) + `">` + html.EscapeString(address) + `</a>`
}

// addressedTo leads a message's HTML with a mention of member, so every app shows whom it is for.
func addressedTo(member model.RemoteActor, body string) string {
	if !strings.HasPrefix(body, "<p>") {
		return "<p>" + mentionHTML(member) + "</p>" + body
	}
	return strings.Replace(body, "<p>", "<p>"+mentionHTML(member)+" ", 1)
}

// mentionHTML is a mention of member the way Mastodon renders one (an h-card link to her profile).
func mentionHTML(member model.RemoteActor) string {
	return `<span class="h-card" translate="no"><a href="` + html.EscapeString(member.ProfileURL()) + `" class="u-url mention">@<span>` +
		html.EscapeString(member.PreferredUsername) + `</span></a></span>`
}

// SetWelcome turns a group's welcome on or off and changes its text (empty: the default), logged in
// staffID's name as an edit of the group. The default's own text is kept as "the default", so a
// better default reaches the group too.
func (s *Service) SetWelcome(ctx context.Context, groupID string, staffID *string, enabled bool, text string) error {
	text, err := CheckWelcomeText(text)
	if err != nil {
		return err
	}
	if text == DefaultWelcome {
		text = ""
	}
	return s.store.Transaction(ctx, func(tx *store.Store) error {
		group, err := tx.GroupByID(ctx, groupID)
		if errors.Is(err, store.ErrNotFound) {
			return apperror.NotFound("group: no group %s", groupID)
		}
		if err != nil {
			return err
		}
		if group.WelcomeEnabled == enabled && group.WelcomeText == text {
			return nil
		}
		if err := tx.UpdateGroup(ctx, group.ID, store.GroupChange{WelcomeEnabled: store.To(enabled), WelcomeText: store.To(text)}); err != nil {
			return err
		}
		_, err = tx.RecordModerationAction(ctx, store.LogEntry{OrganisationID: &group.OrganisationID, GroupID: &group.ID,
			StaffAccountID: staffID, Action: model.ActionGroupEdit, TargetKind: model.TargetGroup, TargetID: group.ID,
			Metadata: map[string]any{"welcome_enabled": enabled, "welcome_changed": true}})
		return err
	})
}
