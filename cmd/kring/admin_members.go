package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/kring-social/kring/app/moderation"
)

// memberView is the stable shape `kring admin member` prints.
type memberView struct {
	Group        string `json:"group"`
	Actor        string `json:"actor"`
	Done         string `json:"done"`
	RemovedPosts int    `json:"removed_posts,omitempty"`
}

func (v memberView) Text() string { return fmt.Sprintf("%s in %s: %s", v.Actor, v.Group, v.Done) }

// memberAction builds `kring admin member <verb> --group SLUG --actor IRI --reason WHY`; more adds
// the verb's own flags and returns how to apply the decision.
func memberAction(verb, summary string, more func(fs *flag.FlagSet) func(context.Context, *adminEnv, moderation.MemberDecision) (memberView, error)) adminAction {
	return adminAction{noun: "member", verb: verb, summary: summary,
		flags: func(fs *flag.FlagSet) func(context.Context, *adminEnv) (any, error) {
			group := fs.String("group", "", "group slug")
			actor := fs.String("actor", "", "the member's actor id (see `follow list`)")
			reason := fs.String("reason", "", "why; the moderation log keeps it")
			apply := more(fs)
			return func(ctx context.Context, env *adminEnv) (any, error) {
				if err := requireFlags("group", *group, "actor", *actor); err != nil {
					return nil, err
				}
				found, err := env.groups.GroupBySlug(ctx, *group)
				if err != nil {
					return nil, err
				}
				view, err := apply(ctx, env, moderation.MemberDecision{Group: found.Group, ActorIRI: *actor, Reason: *reason})
				view.Group, view.Actor = *group, *actor
				return view, err
			}
		}}
}

func memberActions() []adminAction {
	return []adminAction{
		memberAction("remove", "remove a follower (--group, --actor; --reason): their server gets a Reject of their Follow",
			func(*flag.FlagSet) func(context.Context, *adminEnv, moderation.MemberDecision) (memberView, error) {
				return func(ctx context.Context, env *adminEnv, d moderation.MemberDecision) (memberView, error) {
					return memberView{Done: "removed; a Reject is on its way"}, env.members.Remove(ctx, d)
				}
			}),
		memberAction("ban", "ban an actor from a group (--group, --actor, --reason; --remove-posts): a Block is sent",
			func(fs *flag.FlagSet) func(context.Context, *adminEnv, moderation.MemberDecision) (memberView, error) {
				removePosts := fs.Bool("remove-posts", false, "also remove their visible posts from the group")
				return func(ctx context.Context, env *adminEnv, d moderation.MemberDecision) (memberView, error) {
					if err := requireFlags("reason", d.Reason); err != nil {
						return memberView{}, err
					}
					result, err := env.members.Ban(ctx, d, *removePosts)
					return memberView{Done: "banned; a Block is on its way", RemovedPosts: result.RemovedPosts}, err
				}
			}),
		memberAction("unban", "lift a ban (--group, --actor; --reason): an Undo of the Block is sent",
			func(*flag.FlagSet) func(context.Context, *adminEnv, moderation.MemberDecision) (memberView, error) {
				return func(ctx context.Context, env *adminEnv, d moderation.MemberDecision) (memberView, error) {
					return memberView{Done: "unbanned; an Undo of the Block is on its way"}, env.members.Unban(ctx, d)
				}
			}),
	}
}
