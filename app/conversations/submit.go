package conversations

import (
	"context"
	"fmt"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// Submission is a post a remote actor sent: the object of a Create, read by federation.
type Submission struct {
	ActivityIRI  string // the Create's id
	ActivityJSON string // the Create as its author signed and sent it
	ObjectIRI    string
	ObjectType   string // Note, Article, Page, Question, Event
	ContentHTML  string // as sent: sanitised before it is stored
	Summary      string
	URL          string
	InReplyTo    string
	Context      string
	Visibility   model.Visibility
	PublishedAt  time.Time
	// Addressed are the groups the post names in to, cc, audience or a Mention.
	Addressed []model.Group
}

// maxSummary bounds a post's content warning; a longer one is cut, not refused, since the original
// stays on its server.
const maxSummary = 2_000

// Outcome is what became of a submission in one group.
type Outcome string

const (
	// Shared: stored and visible; announced to the followers its reach says.
	Shared Outcome = "shared"
	// Held: stored and waiting in the pre-moderation queue.
	Held Outcome = "held"
	// Refused: not stored (Reason says why).
	Refused Outcome = "refused"
	// Known: the group had the post already; nothing changed.
	Known Outcome = "known"
)

// Result is the outcome of a submission in one group.
type Result struct {
	GroupID string
	Outcome Outcome
	Reach   model.Reach
	PostID  string
	Reason  string
}

// target is a group a submission goes to, and the post it replies to there, if any.
type target struct {
	group     model.Group
	addressed bool
	parent    *model.Post
}

// Submit takes a remote actor's post into the groups it addresses and the group threads it replies
// in. Posts that are not public or unlisted are never taken (the author did not consent to their
// being shared); posts over the rate limits are dropped before anything is stored. Each group then
// applies its own rules: archived, banned, suspended, posting policy, pre-moderation. The groups take
// the post in one transaction, with the rate limits counted in it.
func (s *Service) Submit(ctx context.Context, author model.RemoteActor, sub Submission) ([]Result, error) {
	targets, err := s.targetsOf(ctx, sub)
	if err != nil {
		return nil, err
	}
	if len(targets) == 0 {
		return nil, nil
	}
	refuseAll := func(reason string) []Result {
		results := make([]Result, len(targets))
		for i, t := range targets {
			results[i] = Result{GroupID: t.group.ID, Outcome: Refused, Reason: reason}
		}
		return results
	}
	if sub.Visibility != model.VisibilityPublic && sub.Visibility != model.VisibilityUnlisted {
		return refuseAll("only public and unlisted posts are shared; this one is " + string(sub.Visibility)), nil
	}
	// The limits are counted in the transaction that stores the post, after the author's and their
	// host's posting is locked: posts taken in at once (by several workers) are counted one after
	// the other, each seeing the ones before it. Every statement of it is served by its index
	// whatever the values, so it runs on generic plans: its first read is not planned again for
	// every post.
	var results []Result
	err = s.store.TransactionHoldingOnGenericPlans(ctx, store.PostingRateLocks(author.ID, author.Host), func(tx *store.Store) error {
		// The first group's standing is read with the counts, in one round trip.
		// So are her mentions of it, which a non-member's post is kept as (keepMention).
		mentions := mentionBounds(s.now())
		first, counts, err := tx.PostStandingCounting(ctx, targets[0].group, author, sub.ObjectIRI, store.RecentPostsQuery{
			Since: s.now().Add(-s.limits.Window), UpTo: store.PostingCounts{ByActor: int64(s.limits.PerActor), ByHost: int64(s.limits.PerHost)},
			Mentions: &mentions})
		if err != nil {
			return err
		}
		if reason := s.overLimit(author, counts); reason != "" {
			results = refuseAll(reason)
			return nil
		}
		results = make([]Result, 0, len(targets))
		for i, t := range targets {
			standing := first
			if i > 0 {
				if standing, err = tx.PostStandingOf(ctx, t.group, author, sub.ObjectIRI); err != nil {
					return err
				}
			}
			result, err := s.submitTo(ctx, tx, author, sub, t, standing)
			if err != nil {
				return fmt.Errorf("post %s into group %s: %w", sub.ObjectIRI, t.group.Slug, err)
			}
			results = append(results, result)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// targetsOf lists the groups the submission addresses, and those whose threads it replies in.
func (s *Service) targetsOf(ctx context.Context, sub Submission) ([]target, error) {
	var targets []target
	index := map[string]int{}
	for _, group := range sub.Addressed {
		if _, seen := index[group.ID]; !seen {
			index[group.ID] = len(targets)
			targets = append(targets, target{group: group, addressed: true})
		}
	}
	if sub.InReplyTo == "" {
		return targets, nil
	}
	parents, err := s.store.PostsOfObject(ctx, sub.InReplyTo)
	if err != nil {
		return nil, err
	}
	for i := range parents {
		parent := parents[i]
		if parent.State != model.PostVisible {
			continue
		}
		if at, seen := index[parent.GroupID]; seen {
			targets[at].parent = &parent
			continue
		}
		group, err := s.store.GroupByID(ctx, parent.GroupID)
		if err != nil {
			return nil, err
		}
		index[group.ID] = len(targets)
		targets = append(targets, target{group: group, parent: &parent})
	}
	return targets, nil
}

// overLimit says why the author may not post now, given her and her host's recent posts counted in
// the transaction after their posting was locked (so the counts hold until the post is stored), or
// "" when she may.
func (s *Service) overLimit(author model.RemoteActor, counts store.PostingCounts) string {
	if counts.ByActor >= int64(s.limits.PerActor) {
		return fmt.Sprintf("rate limit: %s posted %d times in %s", author.IRI, counts.ByActor, s.limits.Window)
	}
	if counts.ByHost >= int64(s.limits.PerHost) {
		return fmt.Sprintf("rate limit: %s posted %d times in %s", author.Host, counts.ByHost, s.limits.Window)
	}
	return ""
}

// submitTo takes the post into one group, given the author's standing with it.
func (s *Service) submitTo(ctx context.Context, tx *store.Store, author model.RemoteActor, sub Submission, t target, standing store.PostStanding) (Result, error) {
	result := Result{GroupID: t.group.ID}
	var err error
	if standing.KnownID != "" {
		result.Outcome, result.PostID, result.Reach = Known, standing.KnownID, standing.KnownReach
		return result, nil
	}
	content := textinput.SanitizeHTML(sub.ContentHTML)
	verdict := admit(t.group, standing.AuthorStanding)
	// A post that names the group, from someone heard but not a member, is kept for staff to
	// answer whatever the group does with it; a reply in one of its threads is conversation, not
	// a word to the group.
	mention := t.addressed && verdict.heard && !verdict.member
	held, reason := verdict.held, verdict.reason
	if reason == "" && standing.Filtered {
		var filtered bool
		filtered, reason, err = s.screen(ctx, tx, t.group, sub.Summary, content)
		if err != nil {
			return result, err
		}
		held = held || filtered
	}
	if reason != "" {
		result.Outcome, result.Reason = Refused, reason
		if mention {
			return result, s.keepMention(ctx, tx, author, sub, content, t.group, nil, standing.Mentions)
		}
		return result, nil
	}
	post := model.Post{GroupID: t.group.ID, ObjectIRI: sub.ObjectIRI, AuthorKind: model.AuthorRemote, AuthorActorID: &author.ID, AuthorHost: author.Host,
		ObjectType: sub.ObjectType, ContentHTML: content, Summary: textinput.Clip(sub.Summary, maxSummary),
		URL: sub.URL, InReplyToIRI: sub.InReplyTo, ContextIRI: sub.Context, Visibility: sub.Visibility,
		State: model.PostVisible, PublishedAt: sub.PublishedAt, CreateActivityIRI: sub.ActivityIRI,
		ActivityJSON: sub.ActivityJSON, Reach: model.ReachFollowers}
	if post.PublishedAt.IsZero() {
		post.PublishedAt = s.now()
	}
	if t.parent != nil {
		// A reply in the group's thread stays in the thread: boosting every reply would flood
		// members' home timelines, whether or not the reply also names the group.
		post.Reach = model.ReachThread
		post.ThreadRootIRI = t.parent.ThreadRootIRI
		if post.ThreadRootIRI == "" {
			post.ThreadRootIRI = t.parent.ObjectIRI
		}
	}
	var announced Announced
	if held {
		post.State = model.PostHeld
	} else {
		// The Announces' ids go into the post's row as it is inserted: no second write of the row.
		announced = s.federator.AnnounceIDs(post)
		post.AnnounceActivityIRI, post.ActivityAnnounceIRI = nonEmpty(announced.ObjectAnnounceIRI), nonEmpty(announced.ActivityAnnounceIRI)
	}
	post, err = tx.CreatePost(ctx, post)
	if err != nil {
		return result, err
	}
	if mention {
		if err := s.keepMention(ctx, tx, author, sub, content, t.group, &post.ID, standing.Mentions); err != nil {
			return result, err
		}
	}
	if t.parent != nil && t.group.IntroductionsPostID != nil && t.parent.ID == *t.group.IntroductionsPostID {
		// A reply to the group's introductions prompt: she has introduced herself.
		if err := tx.MarkMemberIntroduced(ctx, t.group.ID, author.ID, post.CreatedAt); err != nil {
			return result, err
		}
	}
	result.PostID, result.Reach = post.ID, post.Reach
	if held {
		result.Outcome = Held
		return result, s.notifyHeld(ctx, tx, t.group, post)
	}
	result.Outcome = Shared
	return result, s.federator.AnnouncePost(ctx, tx, t.group, post, announced)
}

// admission is what a group's rules make of an author's post.
type admission struct {
	held   bool   // it waits for a moderator
	reason string // why it is refused; "" when taken in
	// heard: the author is neither banned from the group nor of a suspended domain, so what she
	// says to the group reaches its staff even when its posting policy refuses the post.
	heard  bool
	member bool // her follow of the group is accepted
}

// admit applies the group's rules to an author where she stands (read with the redelivery check:
// one round trip).
func admit(group model.Group, standing store.AuthorStanding) admission {
	if group.ArchivedAt != nil {
		// Nobody answers for an archived group: nothing of it is kept either.
		return admission{reason: "group archived"}
	}
	if standing.Banned {
		return admission{reason: "author banned from the group"}
	}
	if standing.Suspended {
		return admission{reason: "author's domain suspended"}
	}
	verdict := admission{heard: true, member: standing.Member}
	switch {
	case group.PostingPolicy == model.PostingModerators:
		verdict.reason = "only the group's moderators post in it"
	case group.PostingPolicy != model.PostingAnyone && !standing.Member:
		verdict.reason = "only the group's followers post in it"
	}
	// A silenced domain's posts are not announced unless a moderator lets them through.
	verdict.held = standing.Silenced || group.PostingPolicy == model.PostingPremoderated
	return verdict
}

// announce sends the group's Announces of a post that became visible and records their ids.
func (s *Service) announce(ctx context.Context, tx *store.Store, group model.Group, post model.Post) error {
	announced := s.federator.AnnounceIDs(post)
	if err := s.federator.AnnouncePost(ctx, tx, group, post, announced); err != nil {
		return err
	}
	var change store.PostChange
	if announced.ObjectAnnounceIRI != "" {
		change.AnnounceActivityIRI = store.To(&announced.ObjectAnnounceIRI)
	}
	if announced.ActivityAnnounceIRI != "" {
		change.ActivityAnnounceIRI = store.To(&announced.ActivityAnnounceIRI)
	}
	if change.Empty() {
		return nil
	}
	return tx.UpdatePost(ctx, post.ID, change)
}

// nonEmpty is a pointer to id, or nil when id is empty.
func nonEmpty(id string) *string {
	if id == "" {
		return nil
	}
	return &id
}
