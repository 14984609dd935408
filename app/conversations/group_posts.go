package conversations

import (
	"context"
	"fmt"
	"strings"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// maxGroupPostText bounds what a moderator writes as the group: Mastodon's own limit is far lower,
// but longer announcements are Articles elsewhere and read fine.
const maxGroupPostText = 20_000

// Draft is a post a moderator writes as the group itself.
type Draft struct {
	Text    string // plain text; paragraphs separated by blank lines
	Summary string // content warning, optional
	Pin     bool   // show it pinned on the group's profile
	// CampaignID names the organisation's campaign the post belongs to; empty when none.
	CampaignID string `json:",omitempty"`
}

// checked returns the draft's text and summary, trimmed, or why they will not do.
func (d Draft) checked() (text, summary string, err error) {
	text, err = textinput.Text("text", strings.TrimSpace(d.Text), maxGroupPostText)
	if err != nil {
		return "", "", err
	}
	if text == "" {
		return "", "", apperror.Invalid("text", "must not be empty")
	}
	summary, err = textinput.Text("summary", strings.TrimSpace(d.Summary), maxSummary)
	return text, summary, err
}

// PublishAsGroup posts draft as the group: a public Note attributed to the group, sent to every
// follower in a Create, pinned in the featured collection when asked.
func (s *Service) PublishAsGroup(ctx context.Context, groupID string, staffID *string, draft Draft) (model.Post, error) {
	posts, err := s.PublishInGroups(ctx, []string{groupID}, staffID, draft)
	if err != nil {
		return model.Post{}, err
	}
	return posts[0], nil
}

// PublishInGroups publishes draft in each of the groups at once, in one transaction: each group posts
// it to its own followers, and the posts share a publication id when there are several, so they read
// as one piece of work. The caller checks that staffID may write in every one of them.
func (s *Service) PublishInGroups(ctx context.Context, groupIDs []string, staffID *string, draft Draft) ([]model.Post, error) {
	if len(groupIDs) == 0 {
		return nil, apperror.Invalid("groups", "choose at least one group")
	}
	var publication *string
	if len(groupIDs) > 1 {
		id := model.NewID()
		publication = &id
	}
	var posts []model.Post
	err := s.store.Transaction(ctx, func(tx *store.Store) (err error) {
		posts, err = s.publishInGroups(ctx, tx, groupIDs, staffID, draft, publication)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("publish as the group: %w", err)
	}
	return posts, nil
}

// publishInGroups is PublishInGroups inside the caller's transaction.
func (s *Service) publishInGroups(ctx context.Context, tx *store.Store, groupIDs []string, staffID *string, draft Draft, publication *string) ([]model.Post, error) {
	posts := make([]model.Post, 0, len(groupIDs))
	for _, groupID := range groupIDs {
		group, err := tx.GroupByID(ctx, groupID)
		if err != nil {
			return nil, asNotFound(err, "group %s", groupID)
		}
		post, err := s.publishIn(ctx, tx, group, staffID, draft, publication)
		if err != nil {
			return nil, fmt.Errorf("in group %s: %w", group.Slug, err)
		}
		posts = append(posts, post)
	}
	return posts, nil
}

// publishIn is PublishAsGroup inside the caller's transaction, so a post and what refers to it (the
// group's introductions prompt) commit together.
func (s *Service) publishIn(ctx context.Context, tx *store.Store, group model.Group, staffID *string, draft Draft, publication *string) (model.Post, error) {
	text, summary, err := draft.checked()
	if err != nil {
		return model.Post{}, err
	}
	if group.ArchivedAt != nil {
		return model.Post{}, apperror.Conflict("group", "group %s is archived", group.Slug)
	}
	text, campaignID, err := inCampaign(ctx, tx, group, draft, text)
	if err != nil {
		return model.Post{}, err
	}
	now := s.now()
	post := model.Post{ID: model.NewID(), GroupID: group.ID, AuthorKind: model.AuthorGroup, CreatedByStaffID: staffID,
		ObjectType: "Note", ContentHTML: textinput.TextToHTML(text), Summary: summary, Visibility: model.VisibilityPublic,
		State: model.PostVisible, PublishedAt: now, Reach: model.ReachFollowers, PublicationID: publication, CampaignID: campaignID}
	post.ObjectIRI = s.federator.GroupObjectIRI(group, post.ID)
	post.URL = post.ObjectIRI
	if draft.Pin {
		post.PinnedAt = &now
	}
	if post, err = tx.CreatePost(ctx, post); err != nil {
		return model.Post{}, err
	}
	created, err := s.federator.PublishGroupPost(ctx, tx, group, post)
	if err != nil {
		return model.Post{}, err
	}
	post.CreateActivityIRI, post.ActivityJSON = created.ActivityIRI, created.ActivityJSON
	if err := tx.UpdatePost(ctx, post.ID, store.PostChange{CreateActivityIRI: store.To(created.ActivityIRI), ActivityJSON: store.To(created.ActivityJSON)}); err != nil {
		return model.Post{}, err
	}
	if draft.Pin {
		// The featured collection changed: servers refetch it when told the actor did.
		if err := s.federator.UpdateGroupActor(ctx, tx, group); err != nil {
			return model.Post{}, err
		}
	}
	return post, logPostAction(ctx, tx, group, staffID, model.ActionPostPublish, post, "")
}

// SetPinned pins or unpins one of the group's own posts (Mastodon shows only an actor's own posts as
// pinned) and tells followers' servers the featured collection changed.
func (s *Service) SetPinned(ctx context.Context, postID string, staffID *string, pinned bool) (model.Post, error) {
	action := model.ActionPostUnpin
	if pinned {
		action = model.ActionPostPin
	}
	return s.moderate(ctx, postID, staffID, action, "", func(tx *store.Store, group model.Group, post model.Post) (model.Post, error) {
		if post.AuthorKind != model.AuthorGroup {
			return post, apperror.Invalid("post", "only the group's own posts can be pinned")
		}
		if (post.PinnedAt != nil) == pinned {
			return post, nil
		}
		post.PinnedAt = nil
		if pinned {
			now := s.now()
			post.PinnedAt = &now
		}
		if err := tx.UpdatePost(ctx, post.ID, store.PostChange{PinnedAt: store.To(post.PinnedAt)}); err != nil {
			return post, err
		}
		return post, s.federator.UpdateGroupActor(ctx, tx, group)
	})
}

// EditGroupPost changes the text of one of the group's own posts and sends the Update.
func (s *Service) EditGroupPost(ctx context.Context, postID string, staffID *string, draft Draft) (model.Post, error) {
	return s.moderate(ctx, postID, staffID, model.ActionPostEdit, "", func(tx *store.Store, group model.Group, post model.Post) (model.Post, error) {
		return s.editIn(ctx, tx, group, post, draft)
	})
}

// editIn is EditGroupPost inside the caller's transaction; the caller logs the edit.
func (s *Service) editIn(ctx context.Context, tx *store.Store, group model.Group, post model.Post, draft Draft) (model.Post, error) {
	text, summary, err := draft.checked()
	if err != nil {
		return post, err
	}
	if post.AuthorKind != model.AuthorGroup {
		return post, apperror.Invalid("post", "only the group's own posts can be edited here")
	}
	now := s.now()
	post.ContentHTML, post.Summary, post.EditedAt = textinput.TextToHTML(text), summary, &now
	err = tx.UpdatePost(ctx, post.ID, store.PostChange{ContentHTML: store.To(post.ContentHTML), Summary: store.To(post.Summary),
		EditedAt: store.To(post.EditedAt)})
	if err != nil {
		return post, err
	}
	return post, s.federator.UpdateGroupPost(ctx, tx, group, post)
}

// DeleteGroupPost deletes one of the group's own posts and sends the Delete.
func (s *Service) DeleteGroupPost(ctx context.Context, postID string, staffID *string) error {
	_, err := s.moderate(ctx, postID, staffID, model.ActionPostDelete, "", func(tx *store.Store, group model.Group, post model.Post) (model.Post, error) {
		return post, s.deleteIn(ctx, tx, group, post)
	})
	return err
}

// deleteIn is DeleteGroupPost inside the caller's transaction; the caller logs the deletion.
func (s *Service) deleteIn(ctx context.Context, tx *store.Store, group model.Group, post model.Post) error {
	if post.AuthorKind != model.AuthorGroup {
		return apperror.Invalid("post", "only the group's own posts are deleted; members' posts are removed")
	}
	if err := s.federator.DeleteGroupPost(ctx, tx, group, post); err != nil {
		return err
	}
	if post.PinnedAt != nil {
		if err := s.federator.UpdateGroupActor(ctx, tx, group); err != nil {
			return err
		}
	}
	return tx.DeletePost(ctx, post.ID)
}
