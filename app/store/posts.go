package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kring-social/kring/app/model"
)

// CreatePost inserts post, giving it an id (unless set) and timestamps. The same object posted into
// the same group twice is ErrDuplicate.
func (s *Store) CreatePost(ctx context.Context, post model.Post) (model.Post, error) {
	now := s.now()
	if post.ID == "" {
		post.ID = model.NewID()
	}
	post.CreatedAt, post.UpdatedAt = now, now
	post.PublishedAt = dbTime(post.PublishedAt)
	post.EditedAt = dbTimePtr(post.EditedAt)
	post.PinnedAt = dbTimePtr(post.PinnedAt)
	post.RemovedAt = dbTimePtr(post.RemovedAt)
	if post.Reach == "" {
		post.Reach = model.ReachFollowers
	}
	if post.AuthorActorID != nil && post.AuthorHost == "" {
		author, err := s.RemoteActorByID(ctx, *post.AuthorActorID)
		if err != nil {
			return model.Post{}, fmt.Errorf("create post %s: its author: %w", post.ObjectIRI, err)
		}
		post.AuthorHost = author.Host
	}
	err := s.Transaction(ctx, func(tx *Store) error {
		// Nothing reads the row back before the transaction's next statement, which carries it.
		if err := tx.conn(deferWrite(ctx)).Create(&post).Error; err != nil {
			return fmt.Errorf("create post %s in group %s: %w", post.ObjectIRI, post.GroupID, classify(err))
		}
		// A visible post counts in the group's (or the answered post's) figures of the day.
		if err := tx.countPostPublished(ctx, post); err != nil {
			return err
		}
		// A post held for review counts among the group's held posts of the day.
		if err := tx.CountPostModerated(ctx, post.GroupID, post.State); err != nil {
			return err
		}
		if post.AuthorActorID == nil {
			return nil // the group's own post (written by staff) is nobody's activity
		}
		// A member's post or reply (anything she sent into the group, held or later removed too)
		// counts in her activity, in the same transaction.
		event := activityEvent{groupID: post.GroupID, actorID: *post.AuthorActorID, at: now, active: true, posts: 1}
		if post.InReplyToIRI != "" {
			event.posts, event.replies = 0, 1
		}
		return tx.recordActivity(ctx, event)
	})
	if err != nil {
		return model.Post{}, err
	}
	return post, nil
}

// PostByID loads a post.
func (s *Store) PostByID(ctx context.Context, id string) (model.Post, error) {
	var post model.Post
	if err := s.conn(ctx).Where("id = ?", id).Take(&post).Error; err != nil {
		return model.Post{}, fmt.Errorf("find post %s: %w", id, classify(err))
	}
	return post, nil
}

// PostInGroup loads the post of object iri in one group.
func (s *Store) PostInGroup(ctx context.Context, groupID, objectIRI string) (model.Post, error) {
	var post model.Post
	if err := s.conn(ctx).Where("group_id = ? AND object_iri = ?", groupID, objectIRI).Take(&post).Error; err != nil {
		return model.Post{}, fmt.Errorf("find post %s in group %s: %w", objectIRI, groupID, classify(err))
	}
	return post, nil
}

// PostsOfObject lists every group's post of object iri (one object may be posted into several groups).
func (s *Store) PostsOfObject(ctx context.Context, objectIRI string) ([]model.Post, error) {
	var posts []model.Post
	if err := s.conn(ctx).Where("object_iri = ?", objectIRI).Order("id").Find(&posts).Error; err != nil {
		return nil, fmt.Errorf("list posts of %s: %w", objectIRI, err)
	}
	return posts, nil
}

// PostChange says which columns of a post UpdatePost writes; a field left zero keeps its column.
type PostChange struct {
	State         Set[model.PostState]
	RemovedReason Set[string]
	RemovedAt     Set[*time.Time]
	// What the author (or, for the group's own posts, staff) wrote, and when it was last edited.
	ContentHTML Set[string]
	Summary     Set[string]
	Language    Set[string]
	SourceText  Set[string]
	URL         Set[string]
	EditedAt    Set[*time.Time]
	PinnedAt    Set[*time.Time]
	Reach       Set[model.Reach]
	// The activities that federate the post.
	CreateActivityIRI   Set[string]
	ActivityJSON        Set[string]
	AnnounceActivityIRI Set[*string]
	ActivityAnnounceIRI Set[*string]
}

func (c PostChange) columns() columns {
	out := columns{}
	put(out, "state", c.State)
	put(out, "removed_reason", c.RemovedReason)
	put(out, "removed_at", c.RemovedAt)
	put(out, "content_html", c.ContentHTML)
	put(out, "summary", c.Summary)
	put(out, "language", c.Language)
	put(out, "source_text", c.SourceText)
	put(out, "url", c.URL)
	put(out, "edited_at", c.EditedAt)
	put(out, "pinned_at", c.PinnedAt)
	put(out, "reach", c.Reach)
	put(out, "create_activity_iri", c.CreateActivityIRI)
	put(out, "activity_json", c.ActivityJSON)
	put(out, "announce_activity_iri", c.AnnounceActivityIRI)
	put(out, "activity_announce_iri", c.ActivityAnnounceIRI)
	return out
}

// Empty reports whether the change writes no column.
func (c PostChange) Empty() bool { return len(c.columns()) == 0 }

// UpdatePost writes the columns change sets and bumps updated_at; ErrNotFound when there is no post
// with that id.
func (s *Store) UpdatePost(ctx context.Context, id string, change PostChange) error {
	return s.updateRow(ctx, &model.Post{}, "post", id, change.columns())
}

// DeletePost removes a post, its likes, pictures, hashtags and mentions with it.
func (s *Store) DeletePost(ctx context.Context, id string) error {
	if err := s.ReplacePostParts(ctx, id, model.PostParts{}); err != nil {
		return err
	}
	if err := s.conn(ctx).Where("post_id = ?", id).Delete(&model.PostLike{}).Error; err != nil {
		return fmt.Errorf("delete likes of post %s: %w", id, err)
	}
	if err := s.conn(ctx).Where("id = ?", id).Delete(&model.Post{}).Error; err != nil {
		return fmt.Errorf("delete post %s: %w", id, err)
	}
	return nil
}

// PostingCounts are the posts a remote actor and her host made, in any group, in a window.
type PostingCounts struct{ ByActor, ByHost int64 }

// recentPostsColumns count an actor's and her host's posts since a time, each only up to a bound: a
// limit check needs to know no more than whether the limit is reached, so a host that posts
// thousands of times an hour costs a check no more than its limit's worth of index entries. Each
// count reads its own index's range of the window only (posts_author_host_created, migration 8, for
// the host), however many posts the table holds. Their arguments: actor id, since, bound, host,
// since, bound. A submission reads them with the author's standing (PostStandingCounting).
const recentPostsColumns = `(SELECT COUNT(*) FROM (SELECT 1 FROM posts WHERE author_actor_id = ? AND created_at >= ? LIMIT ?) AS of_actor) AS by_actor,
		(SELECT COUNT(*) FROM (SELECT 1 FROM posts WHERE author_host = ? AND created_at >= ? LIMIT ?) AS of_host) AS by_host`

// PostFilter selects a group's posts, newest first.
type PostFilter struct {
	GroupID string
	States  []model.PostState // empty: every state
	Reach   model.Reach       // empty: both
	// Public keeps only public and unlisted posts.
	Public bool
	// ThreadRootIRI keeps one thread: the root post and every reply under it.
	ThreadRootIRI string
	Pinned        bool
	Limit         int
	// Oldest first instead of newest first (threads read top to bottom).
	Oldest bool
}

// ListPosts returns the posts filter selects.
func (s *Store) ListPosts(ctx context.Context, filter PostFilter) ([]model.Post, error) {
	query := s.conn(ctx).Where("group_id = ?", filter.GroupID)
	if len(filter.States) > 0 {
		query = query.Where("state IN ?", filter.States)
	}
	if filter.Reach != "" {
		query = query.Where("reach = ?", filter.Reach)
	}
	if filter.Public {
		query = query.Where("visibility IN ?", []model.Visibility{model.VisibilityPublic, model.VisibilityUnlisted})
	}
	if filter.ThreadRootIRI != "" {
		query = query.Where("object_iri = ? OR thread_root_iri = ?", filter.ThreadRootIRI, filter.ThreadRootIRI)
	}
	if filter.Pinned {
		query = query.Where("pinned_at IS NOT NULL").Order("pinned_at DESC")
	}
	if filter.Oldest {
		query = query.Order("published_at, id")
	} else {
		query = query.Order("published_at DESC, id DESC")
	}
	if filter.Limit > 0 {
		query = query.Limit(filter.Limit)
	}
	var posts []model.Post
	if err := query.Find(&posts).Error; err != nil {
		return nil, fmt.Errorf("list posts of group %s: %w", filter.GroupID, err)
	}
	return posts, nil
}

// CountPostsOfMember counts the posts a remote actor made in a group, in any state.
func (s *Store) CountPostsOfMember(ctx context.Context, groupID, remoteActorID string) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&model.Post{}).Where("author_actor_id = ? AND group_id = ?", remoteActorID, groupID).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count posts of %s in group %s: %w", remoteActorID, groupID, err)
	}
	return n, nil
}

// CountPosts counts a group's posts in the given states.
func (s *Store) CountPosts(ctx context.Context, groupID string, states ...model.PostState) (int64, error) {
	var n int64
	if err := s.conn(ctx).Model(&model.Post{}).Where("group_id = ? AND state IN ?", groupID, states).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count posts of group %s: %w", groupID, err)
	}
	return n, nil
}

// GroupsOfPublications names, for each publication id, the groups whose posts share it (posts staff
// published in several groups at once), by name.
func (s *Store) GroupsOfPublications(ctx context.Context, publicationIDs []string) (map[string][]string, error) {
	out := make(map[string][]string, len(publicationIDs))
	if len(publicationIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		PublicationID string
		Name          string
	}
	err := scan(s.conn(ctx).Table("posts").Select("posts.publication_id, groups.name").
		Joins("JOIN groups ON groups.id = posts.group_id").
		Where("posts.publication_id IN ?", publicationIDs).Order("groups.name"), &rows)
	if err != nil {
		return nil, fmt.Errorf("groups of %d publications: %w", len(publicationIDs), err)
	}
	for _, r := range rows {
		out[r.PublicationID] = append(out[r.PublicationID], r.Name)
	}
	return out, nil
}
