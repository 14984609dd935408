package inbox

import (
	"context"
	"fmt"
	"slices"

	"github.com/go-fed/activity/streams/vocab"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/reports"
)

// applyFlag files reports of a Flag: Mastodon sends one from its instance actor to the reported
// account's server, object = [account, posts...], the reason in content; Lemmy sends one from the
// reporting person to the community, object = the post, the reason in summary. It concerns the
// groups it names, the group whose inbox it came to, and the groups of the posts and account it
// names (package reports decides which).
func (p *Processor) applyFlag(ctx context.Context, row model.InboundActivity, flag vocab.ActivityStreamsFlag) error {
	if p.cfg.Reports == nil {
		return ignored("this server takes no reports")
	}
	objects := objectIRIs(flag.GetActivityStreamsObject())
	if len(objects) == 0 {
		return ignored("Flag without an object")
	}
	named, err := p.localGroups(ctx, objects)
	if err != nil {
		return err
	}
	if row.GroupID != nil && !slices.ContainsFunc(named, func(g model.Group) bool { return g.ID == *row.GroupID }) {
		group, err := p.cfg.Store.GroupByID(ctx, *row.GroupID)
		if err != nil {
			return err
		}
		named = append(named, group)
	}
	var others []string
	for _, iri := range objects {
		if _, isGroup := p.cfg.IRIs.GroupSlugOf(iri); !isGroup {
			others = append(others, iri)
		}
	}
	reporter, err := p.cfg.Actors.ResolveActor(ctx, row.ActorIRI)
	if err != nil {
		return fmt.Errorf("resolve reporter %s: %w", row.ActorIRI, err)
	}
	filed, err := p.cfg.Reports.ReceiveFlag(ctx, reports.Flag{ActivityIRI: row.ActivityIRI, Reporter: reporter,
		Groups: named, Objects: others, Content: flagReason(flag)})
	if err != nil {
		return err
	}
	if len(filed) == 0 {
		return ignored("the Flag concerns no group of this server, or was filed before")
	}
	for _, r := range filed {
		p.cfg.Logger.InfoContext(ctx, "report received", "report", r.ID, "flag", row.ActivityIRI, "reporter", reporter.IRI)
	}
	return nil
}

// flagReason is the Flag's content, or its summary where Lemmy puts the reason.
func flagReason(flag vocab.ActivityStreamsFlag) string {
	if c := flag.GetActivityStreamsContent(); c != nil {
		if text := textOf(collect[vocab.ActivityStreamsContentPropertyIterator](c)); text != "" {
			return text
		}
	}
	if s := flag.GetActivityStreamsSummary(); s != nil {
		return textOf(collect[vocab.ActivityStreamsSummaryPropertyIterator](s))
	}
	return ""
}
