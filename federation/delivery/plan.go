// Package delivery sends Kring's activities to other servers: it plans a fan-out from the group's own
// follower table (one delivery per distinct shared inbox), writes the deliveries and their tasks in
// the caller's transaction, and, in the worker, signs and posts each one, retrying with backoff and
// sparing hosts that keep failing.
package delivery

import (
	"context"
	"fmt"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
)

// Activity is an activity to send, already serialized: the body is made once per fan-out, whatever
// the number of inboxes.
type Activity struct {
	IRI     string
	Type    string
	GroupID string // the sending group; empty for the instance actor
	Body    []byte
	// NotBefore holds the deliveries until then (zero: at once): a message that must reach its
	// recipient after another one queued with it waits a little.
	NotBefore time.Time
	// PostID is the post the activity brings to its recipients (the group's Create or Update of its
	// own post, an Announce of a member's post), so its deliveries count as that post's reach; empty
	// for anything else.
	PostID string
}

// Planner writes deliveries, each with the task that delivers it (tasks.NewDeliverActivityTask). With
// Batch, a fan-out of more than one delivery is sent by batch tasks (tasks.NewDeliverBatchTask): one
// task per BatchSize deliveries instead of one each, which spares the queue and the database most of
// their per-task work.
type Planner struct {
	Batch bool
}

// BatchSize is how many deliveries of a fan-out one batch task sends.
const BatchSize = 50

// ToFollowers plans the delivery of activity, which group sends, to every accepted follower of the
// group, inside tx: one delivery per distinct shared inbox (or inbox), none to suspended domains. It
// returns how many.
func (p Planner) ToFollowers(ctx context.Context, tx *store.Store, group model.Group, activity Activity) (int, error) {
	return p.ToFollowersAnd(ctx, tx, group, activity, nil)
}

// ToFollowersAnd is ToFollowers with more inboxes beside the followers' (the accounts a post
// mentions, followers or not), each inbox sent the activity once.
func (p Planner) ToFollowersAnd(ctx context.Context, tx *store.Store, group model.Group, activity Activity, more []store.InboxTarget) (int, error) {
	if activity.GroupID != group.ID {
		return 0, fmt.Errorf("plan delivery of %s: sent by group %s, planned for the followers of %s", activity.IRI, activity.GroupID, group.ID)
	}
	targets, err := tx.FollowerInboxes(ctx, group.ID)
	if err != nil {
		return 0, err
	}
	known := map[string]bool{}
	for _, t := range targets {
		known[t.URL] = true
	}
	for _, t := range more {
		if !known[t.URL] {
			known[t.URL] = true
			targets = append(targets, t)
		}
	}
	targets, err = withoutSuspended(ctx, tx, targets, group.OrganisationID)
	if err != nil {
		return 0, err
	}
	return len(targets), p.plan(ctx, tx, activity, targets)
}

// Shapes are the two forms of one group activity: the one microblogging servers (Mastodon,
// GoToSocial, Misskey ...) act on, and the FEP-1b12 one that servers which understand groups (Lemmy
// and its kin) act on. A nil shape is sent to nobody of that kind.
type Shapes struct {
	Microblog  *Activity
	GroupAware *Activity
}

// ToFollowersInShapes plans, inside tx, the delivery of each shape to the accepted followers of the
// group whose servers take that shape: one delivery per distinct shared inbox, none to suspended
// domains. Every activity of shapes is stored, even with nobody to send it to, so its id resolves.
// It returns how many deliveries of each shape were planned.
func (p Planner) ToFollowersInShapes(ctx context.Context, tx *store.Store, group model.Group, shapes Shapes) (microblog, groupAware int, err error) {
	targets, err := tx.FollowerInboxes(ctx, group.ID)
	if err != nil {
		return 0, 0, err
	}
	targets, err = withoutSuspended(ctx, tx, targets, group.OrganisationID)
	if err != nil {
		return 0, 0, err
	}
	var microblogTargets, groupAwareTargets []store.InboxTarget
	for _, t := range targets {
		if UnderstandsGroups(t.Software) {
			groupAwareTargets = append(groupAwareTargets, t)
		} else {
			microblogTargets = append(microblogTargets, t)
		}
	}
	var fanOuts []fanOut
	if shapes.Microblog != nil {
		fanOuts = append(fanOuts, fanOut{*shapes.Microblog, microblogTargets})
		microblog = len(microblogTargets)
	}
	if shapes.GroupAware != nil {
		fanOuts = append(fanOuts, fanOut{*shapes.GroupAware, groupAwareTargets})
		groupAware = len(groupAwareTargets)
	}
	if len(fanOuts) == 0 {
		return 0, 0, nil
	}
	if err := p.planAll(ctx, tx, fanOuts); err != nil {
		return 0, 0, err
	}
	return microblog, groupAware, nil
}

// ToInbox plans the delivery of activity to one inbox, such as an Accept to its follower.
func (p Planner) ToInbox(ctx context.Context, tx *store.Store, activity Activity, inbox, host string) error {
	return p.plan(ctx, tx, activity, []store.InboxTarget{{URL: inbox, Host: host}})
}

// fanOut is one activity and the inboxes it goes to.
type fanOut struct {
	activity Activity
	targets  []store.InboxTarget
}

func (p Planner) plan(ctx context.Context, tx *store.Store, activity Activity, targets []store.InboxTarget) error {
	return p.planAll(ctx, tx, []fanOut{{activity, targets}})
}

// planAll stores the activities of fanOuts, their deliveries and the tasks that send them, each kind
// of row in one batched insert: a post's two Announces cost three statements, not six.
func (p Planner) planAll(ctx context.Context, tx *store.Store, fanOuts []fanOut) error {
	if !tx.InTransaction() {
		return fmt.Errorf("plan delivery of %s: must run inside the transaction that causes it", fanOuts[0].activity.IRI)
	}
	rows := make([]model.OutboundActivity, len(fanOuts))
	for i, f := range fanOuts {
		rows[i] = outboundRow(f.activity)
	}
	stored, err := tx.CreateOutboundActivities(ctx, rows)
	if err != nil {
		return err
	}
	planned := make([]store.PlannedDeliveries, len(fanOuts))
	for i, f := range fanOuts {
		planned[i] = store.PlannedDeliveries{ActivityID: stored[i].ID, Targets: f.targets}
	}
	deliveries, err := tx.CreatePlannedDeliveries(ctx, planned)
	if err != nil {
		return err
	}
	var queued []store.NewTask
	for i, f := range fanOuts {
		queued = append(queued, p.tasksFor(deliveries[i], f.activity.NotBefore)...)
	}
	return tx.RecordTasks(ctx, queued)
}

// outboundRow is the stored form of activity.
func outboundRow(activity Activity) model.OutboundActivity {
	row := model.OutboundActivity{ActivityIRI: activity.IRI, ActorKind: model.OwnerInstance, ActivityType: activity.Type,
		Body: string(activity.Body)}
	if activity.GroupID != "" {
		row.ActorKind, row.GroupID = model.OwnerGroup, &activity.GroupID
	}
	if activity.PostID != "" {
		row.PostID = &activity.PostID
	}
	return row
}

// tasksFor are the tasks that send deliveries of one activity, none before notBefore: one each,
// or with Batch one per BatchSize of them.
func (p Planner) tasksFor(deliveries []model.Delivery, notBefore time.Time) []store.NewTask {
	if !p.Batch || len(deliveries) == 1 {
		queued := make([]store.NewTask, len(deliveries))
		for i, d := range deliveries {
			queued[i] = tasks.NewDeliverActivityTask(d.ID)
			queued[i].RunAt = notBefore
		}
		return queued
	}
	var queued []store.NewTask
	for start := 0; start < len(deliveries); start += BatchSize {
		batch := deliveries[start:min(start+BatchSize, len(deliveries))]
		ids := make([]string, len(batch))
		for i, d := range batch {
			ids[i] = d.ID
		}
		task := tasks.NewDeliverBatchTask(ids)
		task.RunAt = notBefore
		queued = append(queued, task)
	}
	return queued
}

// withoutSuspended drops targets on domains suspended instance-wide or by the organisation. The
// blocks are loaded once and matched in memory: a fan-out can reach thousands of hosts.
func withoutSuspended(ctx context.Context, tx *store.Store, targets []store.InboxTarget, organisationID string) ([]store.InboxTarget, error) {
	if len(targets) == 0 {
		// A group with no followers yet: nothing to filter, and the blocks need not be read.
		return targets, nil
	}
	domains, err := tx.SuspendedDomainsOf(ctx, organisationID)
	if err != nil || len(domains) == 0 {
		return targets, err
	}
	suspended := map[string]bool{}
	for _, domain := range domains {
		suspended[domain] = true
	}
	kept := targets[:0]
	for _, t := range targets {
		if !coveredBy(t.Host, suspended) {
			kept = append(kept, t)
		}
	}
	return kept, nil
}

// coveredBy reports whether host or a domain above it is in domains.
func coveredBy(host string, domains map[string]bool) bool {
	for domain := range model.DomainAndParents(host) {
		if domains[domain] {
			return true
		}
	}
	return false
}
