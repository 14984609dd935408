package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/model"
)

// postView is the stable shape `kring admin post` prints.
type postView struct {
	ID        string    `json:"id"`
	Object    string    `json:"object"`
	Author    string    `json:"author"` // "group" for the group's own posts
	State     string    `json:"state"`
	Reach     string    `json:"reach"`
	Likes     int       `json:"likes"`
	Content   string    `json:"content_html"`
	Published time.Time `json:"published"`
	Pinned    bool      `json:"pinned"`
	Reason    string    `json:"reason,omitempty"`
}

func (v postView) Text() string {
	snippet := v.Content
	if len(snippet) > 60 {
		snippet = snippet[:60] + "..."
	}
	return fmt.Sprintf("%s\t%s\t%s\t%d likes\t%s\t%s", v.ID, v.State, v.Reach, v.Likes, v.Object, snippet)
}

type postList []postView

func (l postList) Text() string { return textLines(l, "no posts") }

func viewPost(p model.Post) postView {
	author := "group"
	if p.AuthorActorID != nil {
		author = "remote"
	}
	return postView{ID: p.ID, Object: p.ObjectIRI, Author: author, State: string(p.State), Reach: string(p.Reach),
		Likes: p.LikeCount, Content: p.ContentHTML, Published: p.PublishedAt, Pinned: p.PinnedAt != nil, Reason: p.RemovedReason}
}

// postAction builds a `kring admin post <verb> --id ID` action; withReason adds --reason.
func postAction(verb, summary string, withReason bool, apply func(ctx context.Context, env *adminEnv, id, reason string) (model.Post, error)) adminAction {
	return adminAction{noun: "post", verb: verb, summary: summary,
		flags: func(fs *flag.FlagSet) func(context.Context, *adminEnv) (any, error) {
			id := fs.String("id", "", "the post's id (see `post list`)")
			var reason *string
			if withReason {
				reason = fs.String("reason", "", "why; the moderation log keeps it")
			}
			return func(ctx context.Context, env *adminEnv) (any, error) {
				if err := requireFlags("id", *id); err != nil {
					return nil, err
				}
				why := ""
				if reason != nil {
					why = strings.TrimSpace(*reason)
				}
				post, err := apply(ctx, env, *id, why)
				if err != nil {
					return nil, err
				}
				return viewPost(post), nil
			}
		}}
}

func postActions() []adminAction {
	return []adminAction{
		{noun: "post", verb: "list", summary: "list a group's posts (--group; --state held|visible|removed|declined)",
			flags: func(fs *flag.FlagSet) func(context.Context, *adminEnv) (any, error) {
				group := fs.String("group", "", "group slug")
				state := fs.String("state", "", "only posts in this state")
				limit := fs.Int("limit", 100, "at most this many, newest first")
				return func(ctx context.Context, env *adminEnv) (any, error) {
					if err := requireFlags("group", *group); err != nil {
						return nil, err
					}
					posts, err := env.conversations.Posts(ctx, *group, model.PostState(*state), *limit)
					if err != nil {
						return nil, err
					}
					list := make(postList, len(posts))
					for i, p := range posts {
						list[i] = viewPost(p)
					}
					return list, nil
				}
			}},
		{noun: "post", verb: "publish", summary: "post as the group itself (--group, --text; --summary, --pin)",
			flags: func(fs *flag.FlagSet) func(context.Context, *adminEnv) (any, error) {
				group := fs.String("group", "", "group slug")
				text := fs.String("text", "", "the post, plain text; blank lines separate paragraphs")
				summary := fs.String("summary", "", "content warning")
				pin := fs.Bool("pin", false, "pin it on the group's profile")
				return func(ctx context.Context, env *adminEnv) (any, error) {
					if err := requireFlags("group", *group, "text", *text); err != nil {
						return nil, err
					}
					details, err := env.groups.GroupBySlug(ctx, *group)
					if err != nil {
						return nil, err
					}
					post, err := env.conversations.PublishAsGroup(ctx, details.ID, nil,
						conversations.Draft{Text: *text, Summary: *summary, Pin: *pin})
					if err != nil {
						return nil, err
					}
					return viewPost(post), nil
				}
			}},
		postAction("approve", "let a held post through (--id); it is announced", false,
			func(ctx context.Context, env *adminEnv, id, _ string) (model.Post, error) {
				return env.conversations.Approve(ctx, id, nil)
			}),
		postAction("decline", "refuse a held post (--id, --reason); the author is sent a Reject", true,
			func(ctx context.Context, env *adminEnv, id, reason string) (model.Post, error) {
				return env.conversations.Decline(ctx, id, nil, reason)
			}),
		postAction("remove", "take a member's post out of the group (--id, --reason); its boost is undone", true,
			func(ctx context.Context, env *adminEnv, id, reason string) (model.Post, error) {
				return env.conversations.Remove(ctx, id, nil, reason)
			}),
		postAction("pin", "pin one of the group's own posts (--id)", false,
			func(ctx context.Context, env *adminEnv, id, _ string) (model.Post, error) {
				return env.conversations.SetPinned(ctx, id, nil, true)
			}),
		postAction("unpin", "unpin one of the group's own posts (--id)", false,
			func(ctx context.Context, env *adminEnv, id, _ string) (model.Post, error) {
				return env.conversations.SetPinned(ctx, id, nil, false)
			}),
		postAction("delete", "delete one of the group's own posts (--id); followers' servers are told", false,
			func(ctx context.Context, env *adminEnv, id, _ string) (model.Post, error) {
				return model.Post{ID: id, State: "deleted"}, env.conversations.DeleteGroupPost(ctx, id, nil)
			}),
	}
}
