package conversations_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// fakeFederator records what the service asked to send and gives every Announce a fresh id, as the
// real one does.
type fakeFederator struct {
	mu        sync.Mutex
	next      int
	announced []string // ids of every Announce handed out
	withdrawn []string // ids of posts withdrawn
	declined  []string // reasons of declined posts
}

var _ conversations.Federator = (*fakeFederator)(nil)

func (f *fakeFederator) id(kind string) string {
	f.next++
	return fmt.Sprintf("https://kring.test/activities/%s-%d", kind, f.next)
}

func (f *fakeFederator) AnnounceIDs(post model.Post) conversations.Announced {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids conversations.Announced
	if post.Reach == model.ReachFollowers {
		ids.ObjectAnnounceIRI = f.id("announce-object")
	}
	if post.ActivityJSON != "" {
		ids.ActivityAnnounceIRI = f.id("announce-create")
	}
	return ids
}

func (f *fakeFederator) AnnouncePost(_ context.Context, _ *store.Store, _ model.Group, _ model.Post, ids conversations.Announced) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range []string{ids.ObjectAnnounceIRI, ids.ActivityAnnounceIRI} {
		if id != "" {
			f.announced = append(f.announced, id)
		}
	}
	return nil
}

func (f *fakeFederator) ForwardActivity(context.Context, *store.Store, model.Group, string) error {
	return nil
}

func (f *fakeFederator) WithdrawPost(_ context.Context, _ *store.Store, _ model.Group, post model.Post, _ string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.withdrawn = append(f.withdrawn, post.ID)
	return nil
}

func (f *fakeFederator) DeclinePost(_ context.Context, _ *store.Store, _ model.Group, _ model.Post, _ model.RemoteActor, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.declined = append(f.declined, reason)
	return nil
}

func (f *fakeFederator) GroupObjectIRI(group model.Group, postID string) string {
	return "https://kring.test/groups/" + group.Slug + "/posts/" + postID
}

func (f *fakeFederator) GroupTagURL(group model.Group, tag string) string {
	return "https://kring.test/groups/" + group.Slug + "?tag=" + tag
}

func (f *fakeFederator) PublishGroupPost(context.Context, *store.Store, model.Group, model.Post) (conversations.Created, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return conversations.Created{ActivityIRI: f.id("create")}, nil
}

func (f *fakeFederator) UpdateGroupPost(context.Context, *store.Store, model.Group, model.Post) error {
	return nil
}

func (f *fakeFederator) DeleteGroupPost(context.Context, *store.Store, model.Group, model.Post) error {
	return nil
}

func (f *fakeFederator) UpdateGroupActor(context.Context, *store.Store, model.Group) error {
	return nil
}
