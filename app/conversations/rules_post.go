package conversations

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// SyncRulesPost makes the group's pinned rules post say what its rules say: published (pinned, so
// Mastodon shows it on the group's profile) when the group has rules and no such post, edited (an
// Update goes out) when they changed, deleted when they were emptied. It reads the group as it is
// now, under a lock of its row, and changes the post and the group's pointer to it in one
// transaction: calling it again after a failure, twice, or twice at once does no harm.
func (s *Service) SyncRulesPost(ctx context.Context, groupID string, staffID *string) error {
	err := s.store.Transaction(ctx, func(tx *store.Store) error {
		group, err := tx.LockGroup(ctx, groupID)
		if err != nil {
			return asNotFound(err, "group %s", groupID)
		}
		rules := strings.TrimSpace(group.Rules)
		var draft Prepared
		if rules != "" {
			if draft, err = s.prepareWithoutLookups(Draft{Text: "Rules of " + group.Name + "\n\n" + rules, Pin: true}); err != nil {
				return err
			}
		}
		if group.RulesPostID != nil {
			post, err := tx.PostByID(ctx, *group.RulesPostID)
			switch {
			case errors.Is(err, store.ErrNotFound):
				// deleted by hand since: publish it again below
			case err != nil:
				return err
			case rules == "":
				if err := s.deleteIn(ctx, tx, group, post); err != nil {
					return err
				}
				if err := logPostAction(ctx, tx, group, staffID, model.ActionPostDelete, post, ""); err != nil {
					return err
				}
				return tx.UpdateGroup(ctx, group.ID, store.GroupChange{RulesPostID: store.To[*string](nil)})
			case post.ContentHTML == s.contentHTML(group, draft):
				return nil
			default:
				if post, err = s.editIn(ctx, tx, group, post, draft); err != nil {
					return err
				}
				return logPostAction(ctx, tx, group, staffID, model.ActionPostEdit, post, "")
			}
		}
		if rules == "" {
			return nil
		}
		post, err := s.publishIn(ctx, tx, group, staffID, draft, nil)
		if err != nil {
			return err
		}
		return tx.UpdateGroup(ctx, group.ID, store.GroupChange{RulesPostID: store.To(&post.ID)})
	})
	if err != nil {
		return fmt.Errorf("keep the rules post of group %s in step: %w", groupID, err)
	}
	return nil
}
