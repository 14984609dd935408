package conversations

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// SyncRulesPost makes the group's pinned rules post say what its rules say: published (pinned, so
// Mastodon shows it on the group's profile) when the group has rules and no such post, edited (an
// Update goes out) when they changed, deleted when they were emptied. It reads the group as it is
// now, so calling it again after a failure, or twice, does no harm.
func (s *Service) SyncRulesPost(ctx context.Context, groupID string, staffID *string) error {
	group, err := s.store.GroupByID(ctx, groupID)
	if err != nil {
		return asNotFound(err, "group %s", groupID)
	}
	rules := strings.TrimSpace(group.Rules)
	draft := Draft{Text: "Rules of " + group.Name + "\n\n" + rules, Pin: true}
	if group.RulesPostID != nil {
		post, err := s.store.PostByID(ctx, *group.RulesPostID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			// deleted by hand since: publish it again below
		case err != nil:
			return err
		case rules == "":
			if err := s.DeleteGroupPost(ctx, post.ID, staffID); err != nil {
				return err
			}
			return s.store.UpdateGroup(ctx, group.ID, store.GroupChange{RulesPostID: store.To[*string](nil)})
		case post.ContentHTML == textinput.TextToHTML(draft.Text):
			return nil
		default:
			_, err := s.EditGroupPost(ctx, post.ID, staffID, draft)
			return err
		}
	}
	if rules == "" {
		return nil
	}
	post, err := s.PublishAsGroup(ctx, group.ID, staffID, draft)
	if err != nil {
		return fmt.Errorf("publish the rules of %s: %w", group.Slug, err)
	}
	return s.store.UpdateGroup(ctx, group.ID, store.GroupChange{RulesPostID: store.To(&post.ID)})
}
