package conversations

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// ErrNotAuthor is returned when an actor tries to change or delete a post someone else wrote.
var ErrNotAuthor = errors.New("the post is not the actor's")

// Edit is an author's Update of their post.
type Edit struct {
	ObjectIRI    string
	ContentHTML  string
	Summary      string
	URL          string
	EditedAt     time.Time
	ActivityJSON string // the Update as its author signed and sent it
}

// ApplyEdit applies an author's edit to every group's copy of the post and forwards the Update to
// servers that understand groups (microblogging servers take edits from the author alone). It
// returns how many posts changed; ErrNotAuthor, changing nothing, when the post is someone else's.
// An edit is screened by the group's keyword filters as a new post is: a visible post edited to
// match a rejecting filter is removed, one matching a holding filter goes back to the queue; either
// way the group's Announces are withdrawn and Kring logs why. The copies kept of the post as
// mentions of groups take the edit too (they are not counted: the count is of posts).
func (s *Service) ApplyEdit(ctx context.Context, author model.RemoteActor, edit Edit) (int, error) {
	if edit.EditedAt.IsZero() {
		edit.EditedAt = s.now()
	}
	changed, err := s.eachAuthoredPost(ctx, author, edit.ObjectIRI, func(tx *store.Store, group model.Group, post model.Post) error {
		content, summary := textinput.SanitizeHTML(edit.ContentHTML), textinput.Clip(edit.Summary, maxSummary)
		err := tx.UpdatePost(ctx, post.ID, store.PostChange{ContentHTML: store.To(content), Summary: store.To(summary),
			URL: store.To(edit.URL), EditedAt: store.To(&edit.EditedAt)})
		if err != nil || post.State != model.PostVisible {
			return err
		}
		held, rejection, err := s.screen(ctx, tx, group, summary, content)
		switch {
		case err != nil:
			return err
		case rejection != "":
			return s.withdrawEdited(ctx, tx, group, post, model.PostRemoved, model.ActionPostRemove, "edited, then "+rejection)
		case held:
			return s.withdrawEdited(ctx, tx, group, post, model.PostHeld, model.ActionPostHold, "edited to match a holding keyword filter")
		}
		return s.federator.ForwardActivity(ctx, tx, group, edit.ActivityJSON)
	})
	if err != nil {
		return changed, err
	}
	return changed, s.editMentions(ctx, author, edit)
}

// withdrawEdited takes a visible post out of followers' timelines after an edit the filters caught:
// removed (restorable by a moderator) or held (approving announces it anew), logged as Kring's own.
func (s *Service) withdrawEdited(ctx context.Context, tx *store.Store, group model.Group, post model.Post, state model.PostState, action model.LogAction, reason string) error {
	post, err := s.withdraw(ctx, tx, group, post, state, reason)
	if err != nil {
		return err
	}
	if state == model.PostHeld {
		if err := s.notifyHeld(ctx, tx, group, post); err != nil {
			return err
		}
	}
	return logPostAction(ctx, tx, group, nil, action, post, reason)
}

// ApplyDelete deletes every group's copy of an author's post, as the author asked: the group's
// boost is undone for microblogging servers and the author's Delete forwarded to servers that
// understand groups. The post and its likes are gone from Kring afterwards, and so are the copies
// kept of it as a mention of a group; it returns how many posts went.
func (s *Service) ApplyDelete(ctx context.Context, author model.RemoteActor, objectIRI, deleteJSON string) (int, error) {
	changed, err := s.eachAuthoredPost(ctx, author, objectIRI, func(tx *store.Store, group model.Group, post model.Post) error {
		if post.State == model.PostVisible {
			if err := s.federator.WithdrawPost(ctx, tx, group, post, deleteJSON); err != nil {
				return err
			}
		}
		return tx.DeletePost(ctx, post.ID)
	})
	if err != nil {
		return changed, err
	}
	_, err = s.store.ForgetGroupMentions(ctx, author.ID, objectIRI)
	return changed, err
}

// eachAuthoredPost runs change on every group's copy of objectIRI, in one transaction, after checking
// that author wrote it.
func (s *Service) eachAuthoredPost(ctx context.Context, author model.RemoteActor, objectIRI string,
	change func(tx *store.Store, group model.Group, post model.Post) error) (int, error) {
	changed := 0
	err := s.store.TransactionHolding(ctx, nil, func(tx *store.Store) error { // as Like's
		posts, err := tx.PostsOfObject(ctx, objectIRI)
		if err != nil {
			return err
		}
		for _, post := range posts {
			if post.AuthorActorID == nil || *post.AuthorActorID != author.ID {
				return ErrNotAuthor
			}
			group, err := tx.GroupByID(ctx, post.GroupID)
			if err != nil {
				return err
			}
			if err := change(tx, group, post); err != nil {
				return err
			}
			changed++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("change %s by %s: %w", objectIRI, author.IRI, err)
	}
	return changed, nil
}

// Like records an actor's Like of the group posts of objectIRI and forwards it to servers that
// understand groups. Likes from banned actors and suspended domains are dropped. It returns how many
// posts gained a like.
func (s *Service) Like(ctx context.Context, actor model.RemoteActor, objectIRI, likeIRI, likeJSON string) (int, error) {
	liked := 0
	// A holding transaction with no lock: its forwarded Like's rows go to the server with the
	// statements after them, and its COMMIT with its counters.
	err := s.store.TransactionHolding(ctx, nil, func(tx *store.Store) error {
		posts, err := tx.PostsOfObject(ctx, objectIRI)
		if err != nil {
			return err
		}
		for _, post := range posts {
			if post.State != model.PostVisible {
				continue
			}
			group, err := tx.GroupByID(ctx, post.GroupID)
			if err != nil {
				return err
			}
			if refused, err := s.refusesReactions(ctx, tx, group, actor); err != nil || refused {
				if err != nil {
					return err
				}
				continue
			}
			added, err := tx.AddLike(ctx, model.PostLike{PostID: post.ID, RemoteActorID: actor.ID, ActivityIRI: likeIRI})
			if err != nil {
				return err
			}
			if !added {
				continue
			}
			liked++
			if err := s.federator.ForwardActivity(ctx, tx, group, likeJSON); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("like %s by %s: %w", objectIRI, actor.IRI, err)
	}
	return liked, nil
}

// Unlike withdraws an actor's Like (named by the Like's id) and forwards the Undo.
func (s *Service) Unlike(ctx context.Context, actor model.RemoteActor, likeIRI, undoJSON string) (int, error) {
	unliked := 0
	err := s.store.TransactionHolding(ctx, nil, func(tx *store.Store) error { // as Like's
		postIDs, err := tx.RemoveLike(ctx, actor.ID, likeIRI)
		if err != nil {
			return err
		}
		for _, id := range postIDs {
			post, err := tx.PostByID(ctx, id)
			if err != nil {
				return err
			}
			group, err := tx.GroupByID(ctx, post.GroupID)
			if err != nil {
				return err
			}
			if err := s.federator.ForwardActivity(ctx, tx, group, undoJSON); err != nil {
				return err
			}
			unliked++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("undo like %s by %s: %w", likeIRI, actor.IRI, err)
	}
	return unliked, nil
}

// refusesReactions reports whether the group ignores the actor: banned, or on a suspended domain.
func (s *Service) refusesReactions(ctx context.Context, tx *store.Store, group model.Group, actor model.RemoteActor) (bool, error) {
	standing, err := tx.AuthorStandingIn(ctx, group, actor)
	return standing.Banned || standing.Suspended, err
}
