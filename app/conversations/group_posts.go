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

// Draft is a post a moderator writes as the group itself. It is plain data (a scheduled draft keeps
// it as JSON): pictures are named, already stored; mentions are looked up when it is prepared.
type Draft struct {
	Text    string // plain text; paragraphs separated by blank lines; #hashtags and @user@host mentions
	Summary string // content warning, optional
	Pin     bool   // show it pinned on the group's profile
	// CampaignID names the organisation's campaign the post belongs to; empty when none.
	CampaignID string `json:",omitempty"`
	// Language is the text's ISO 639-1 code (textinput.Languages); empty when not said.
	Language string `json:",omitempty"`
	// Images are the post's pictures, at most MaxImages, in order.
	Images []DraftImage `json:",omitempty"`
	// InReplyTo is the id of the post it answers (a mention of the group kept for staff to
	// answer); empty when it answers none.
	InReplyTo string `json:",omitempty"`
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
// as one piece of work. The draft is prepared (its mentions looked up) first, outside the
// transaction. The caller checks that staffID may write in every one of them.
func (s *Service) PublishInGroups(ctx context.Context, groupIDs []string, staffID *string, draft Draft) ([]model.Post, error) {
	prepared, err := s.PrepareDraft(ctx, draft)
	if err != nil {
		return nil, err
	}
	var posts []model.Post
	err = s.store.Transaction(ctx, func(tx *store.Store) error {
		posts, err = s.PublishPreparedIn(ctx, tx, groupIDs, staffID, prepared, nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("publish as the group: %w", err)
	}
	return posts, nil
}

// PublishPreparedIn publishes a prepared draft in each of the groups inside the caller's
// transaction tx, asking no other server: a scheduled publication commits its posts with its own
// state change. publicationID joins the posts; nil gives several groups a new one (and one group
// none).
func (s *Service) PublishPreparedIn(ctx context.Context, tx *store.Store, groupIDs []string, staffID *string, prepared Prepared, publicationID *string) ([]model.Post, error) {
	if len(groupIDs) == 0 {
		return nil, apperror.Invalid("groups", "choose at least one group")
	}
	if publicationID == nil && len(groupIDs) > 1 {
		id := model.NewID()
		publicationID = &id
	}
	posts := make([]model.Post, 0, len(groupIDs))
	for _, groupID := range groupIDs {
		group, err := tx.GroupByID(ctx, groupID)
		if err != nil {
			return nil, asNotFound(err, "group %s", groupID)
		}
		post, err := s.publishIn(ctx, tx, group, staffID, prepared, publicationID)
		if err != nil {
			return nil, fmt.Errorf("in group %s: %w", group.Slug, err)
		}
		posts = append(posts, post)
	}
	return posts, nil
}

// publishIn is PublishAsGroup inside the caller's transaction, so a post and what refers to it (the
// group's introductions prompt) commit together.
func (s *Service) publishIn(ctx context.Context, tx *store.Store, group model.Group, staffID *string, prepared Prepared, publication *string) (model.Post, error) {
	if group.ArchivedAt != nil {
		return model.Post{}, apperror.Conflict("group", "group %s is archived", group.Slug)
	}
	text, campaignID, err := inCampaign(ctx, tx, group, Draft{CampaignID: prepared.CampaignID}, prepared.Text)
	if err != nil {
		return model.Post{}, err
	}
	prepared = prepared.withText(text)
	now := s.now()
	post := model.Post{ID: model.NewID(), GroupID: group.ID, AuthorKind: model.AuthorGroup, CreatedByStaffID: staffID,
		ObjectType: "Note", ContentHTML: s.contentHTML(group, prepared), Summary: prepared.Summary, Language: prepared.Language,
		SourceText: prepared.Text, Visibility: model.VisibilityPublic, State: model.PostVisible, PublishedAt: now,
		Reach: model.ReachFollowers, PublicationID: publication, CampaignID: campaignID, InReplyToIRI: prepared.InReplyTo}
	post.ObjectIRI = s.federator.GroupObjectIRI(group, post.ID)
	post.URL = post.ObjectIRI
	if prepared.Pin {
		post.PinnedAt = &now
	}
	post, err = tx.CreatePost(ctx, post)
	if err != nil {
		return model.Post{}, err
	}
	if err := tx.ReplacePostParts(ctx, post.ID, prepared.parts()); err != nil {
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
	if prepared.Pin {
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

// EditGroupPost changes the text, pictures, hashtags and mentions of one of the group's own posts
// and sends the Update. The draft is prepared (its mentions looked up) before the transaction.
func (s *Service) EditGroupPost(ctx context.Context, postID string, staffID *string, draft Draft) (model.Post, error) {
	prepared, err := s.PrepareDraft(ctx, draft)
	if err != nil {
		return model.Post{}, err
	}
	return s.EditPrepared(ctx, postID, staffID, prepared)
}

// EditPrepared is EditGroupPost of a draft already prepared.
func (s *Service) EditPrepared(ctx context.Context, postID string, staffID *string, prepared Prepared) (model.Post, error) {
	return s.moderate(ctx, postID, staffID, model.ActionPostEdit, "", func(tx *store.Store, group model.Group, post model.Post) (model.Post, error) {
		return s.editIn(ctx, tx, group, post, prepared)
	})
}

// editIn is EditGroupPost inside the caller's transaction; the caller logs the edit.
func (s *Service) editIn(ctx context.Context, tx *store.Store, group model.Group, post model.Post, prepared Prepared) (model.Post, error) {
	if post.AuthorKind != model.AuthorGroup {
		return post, apperror.Invalid("post", "only the group's own posts can be edited here")
	}
	now := s.now()
	post.ContentHTML, post.Summary, post.EditedAt = s.contentHTML(group, prepared), prepared.Summary, &now
	post.Language, post.SourceText = prepared.Language, prepared.Text
	err := tx.UpdatePost(ctx, post.ID, store.PostChange{ContentHTML: store.To(post.ContentHTML), Summary: store.To(post.Summary),
		EditedAt: store.To(post.EditedAt), Language: store.To(post.Language), SourceText: store.To(post.SourceText)})
	if err != nil {
		return post, err
	}
	if err := tx.ReplacePostParts(ctx, post.ID, prepared.parts()); err != nil {
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
