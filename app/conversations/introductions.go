package conversations

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// DefaultIntroductionsPrompt is what the group asks newcomers when staff start the thread without
// writing their own words; {group} becomes the group's name.
const DefaultIntroductionsPrompt = "New here? Introduce yourself to {group} by replying to this post: who you are, " +
	"what brings you here, and what you would like to find or offer. Everyone is welcome to say hello back."

// IntroductionsPrompt is the group's pinned post inviting introductions; found is false when the
// group has no introductions thread.
func (s *Service) IntroductionsPrompt(ctx context.Context, group model.Group) (prompt model.Post, found bool, err error) {
	if group.IntroductionsPostID == nil {
		return model.Post{}, false, nil
	}
	prompt, err = s.store.PostByID(ctx, *group.IntroductionsPostID)
	if errors.Is(err, store.ErrNotFound) {
		return model.Post{}, false, nil
	}
	return prompt, err == nil, err
}

// SetIntroductionsPrompt starts the group's introductions thread, publishing text (the default when
// empty) as a pinned post of the group's, or changes the words of the running one (an Update goes
// out). The prompt and the group's pointer to it commit together, and the group's row is locked
// meanwhile, so two moderators starting the thread at once publish one prompt.
func (s *Service) SetIntroductionsPrompt(ctx context.Context, groupID string, staffID *string, text string) (model.Post, error) {
	if strings.TrimSpace(text) == "" {
		text = DefaultIntroductionsPrompt
	}
	var prompt model.Post
	err := s.store.Transaction(ctx, func(tx *store.Store) error {
		group, err := tx.LockGroup(ctx, groupID)
		if err != nil {
			return asNotFound(err, "group %s", groupID)
		}
		draft, err := s.prepareWithoutLookups(Draft{Text: strings.ReplaceAll(text, "{group}", group.Name), Pin: true})
		if err != nil {
			return err
		}
		if group.IntroductionsPostID != nil {
			current, err := tx.PostByID(ctx, *group.IntroductionsPostID)
			switch {
			case errors.Is(err, store.ErrNotFound):
				// deleted since: publish a new prompt below
			case err != nil:
				return err
			case current.ContentHTML == s.contentHTML(group, draft):
				prompt = current
				return tx.UpdateGroup(ctx, group.ID, store.GroupChange{IntroductionsPrompt: store.To(text)})
			default:
				if prompt, err = s.editIn(ctx, tx, group, current, draft); err != nil {
					return err
				}
				if err := logPostAction(ctx, tx, group, staffID, model.ActionPostEdit, prompt, ""); err != nil {
					return err
				}
				return tx.UpdateGroup(ctx, group.ID, store.GroupChange{IntroductionsPrompt: store.To(text)})
			}
		}
		if prompt, err = s.publishIn(ctx, tx, group, staffID, draft, nil); err != nil {
			return err
		}
		return tx.UpdateGroup(ctx, group.ID, store.GroupChange{IntroductionsPostID: store.To(&prompt.ID), IntroductionsPrompt: store.To(text)})
	})
	if err != nil {
		return model.Post{}, fmt.Errorf("set the introductions prompt of group %s: %w", groupID, err)
	}
	return prompt, nil
}

// StopIntroductions deletes the group's prompt (a Delete goes out); the members' introductions stay
// as the replies they are. Stopping a group with no thread does nothing.
func (s *Service) StopIntroductions(ctx context.Context, groupID string, staffID *string) error {
	err := s.store.Transaction(ctx, func(tx *store.Store) error {
		group, err := tx.LockGroup(ctx, groupID)
		if err != nil {
			return asNotFound(err, "group %s", groupID)
		}
		if group.IntroductionsPostID == nil {
			return nil
		}
		prompt, err := tx.PostByID(ctx, *group.IntroductionsPostID)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		default:
			if err := s.deleteIn(ctx, tx, group, prompt); err != nil {
				return err
			}
			if err := logPostAction(ctx, tx, group, staffID, model.ActionPostDelete, prompt, ""); err != nil {
				return err
			}
		}
		return tx.UpdateGroup(ctx, group.ID, store.GroupChange{IntroductionsPostID: store.To[*string](nil)})
	})
	if err != nil {
		return fmt.Errorf("stop the introductions of group %s: %w", groupID, err)
	}
	return nil
}

// Introductions lists up to limit members' replies to the group's prompt, newest first, continuing
// after the reply before when it is set.
func (s *Service) Introductions(ctx context.Context, prompt model.Post, before string, limit int) ([]store.Introduction, error) {
	return s.store.Introductions(ctx, store.IntroductionFilter{GroupID: prompt.GroupID, PromptIRI: prompt.ObjectIRI,
		Before: before, Limit: limit})
}

// HighlightIntroduction announces a member's introduction to every member: the one reply a group
// boosts, because a newcomer introduced to everyone is the point of the thread. Microblogging servers
// are sent the group's Announce of her reply (it shows in members' home timelines); servers that
// understand groups had it already, as every reply in the thread. Highlighting twice, or by two
// moderators at once, announces it once.
func (s *Service) HighlightIntroduction(ctx context.Context, postID string, staffID *string) (model.Post, error) {
	var post model.Post
	err := s.store.Transaction(ctx, func(tx *store.Store) error {
		var err error
		if post, err = tx.PostByID(ctx, postID); err != nil {
			return asNotFound(err, "post %s", postID)
		}
		group, err := tx.GroupByID(ctx, post.GroupID)
		if err != nil {
			return err
		}
		if err := s.checkIntroduction(ctx, tx, group, post); err != nil {
			return err
		}
		now := s.now()
		marked, err := tx.MarkPostHighlighted(ctx, post.ID, now)
		if err != nil || !marked {
			return err
		}
		post.HighlightedAt, post.Reach = &now, model.ReachFollowers
		boost := post
		boost.ActivityJSON = "" // no second FEP-1b12 Announce of her Create
		announced := s.federator.AnnounceIDs(boost)
		if err := s.federator.AnnouncePost(ctx, tx, group, boost, announced); err != nil {
			return err
		}
		change := store.PostChange{Reach: store.To(model.ReachFollowers)}
		if announced.ObjectAnnounceIRI != "" {
			post.AnnounceActivityIRI = &announced.ObjectAnnounceIRI
			change.AnnounceActivityIRI = store.To(post.AnnounceActivityIRI)
		}
		if err := tx.UpdatePost(ctx, post.ID, change); err != nil {
			return err
		}
		return logPostAction(ctx, tx, group, staffID, model.ActionPostHighlight, post, "")
	})
	if err != nil {
		return model.Post{}, fmt.Errorf("highlight introduction %s: %w", postID, err)
	}
	return post, nil
}

// checkIntroduction refuses anything but a visible, public or unlisted member's reply to the group's
// prompt: a boost shows the post to everyone, so it must be one the author meant for the thread.
func (s *Service) checkIntroduction(ctx context.Context, tx *store.Store, group model.Group, post model.Post) error {
	if group.IntroductionsPostID == nil {
		return apperror.Conflict("group", "group %s has no introductions thread", group.Slug)
	}
	prompt, err := tx.PostByID(ctx, *group.IntroductionsPostID)
	if err != nil {
		return asNotFound(err, "introductions prompt of group %s", group.Slug)
	}
	if post.AuthorKind != model.AuthorRemote || post.InReplyToIRI != prompt.ObjectIRI {
		return apperror.Invalid("post", "only a member's reply to the introductions prompt can be highlighted")
	}
	if post.State != model.PostVisible {
		return apperror.Conflict("post", "post %s is %s, not visible", post.ID, post.State)
	}
	if post.Visibility != model.VisibilityPublic && post.Visibility != model.VisibilityUnlisted {
		return apperror.Invalid("post", "only public and unlisted introductions can be shared")
	}
	return nil
}
