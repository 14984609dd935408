package inbox

import (
	"html"
	"net/url"
	"time"

	"github.com/go-fed/activity/streams/vocab"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/federation/activities"
)

// postObject is what Kring reads of the objects members post: Note, Article, Page, Question and
// Event all have these properties in go-fed's vocabulary.
type postObject interface {
	vocab.Type
	GetActivityStreamsAttributedTo() vocab.ActivityStreamsAttributedToProperty
	GetActivityStreamsContent() vocab.ActivityStreamsContentProperty
	GetActivityStreamsSummary() vocab.ActivityStreamsSummaryProperty
	GetActivityStreamsName() vocab.ActivityStreamsNameProperty
	GetActivityStreamsUrl() vocab.ActivityStreamsUrlProperty
	GetActivityStreamsInReplyTo() vocab.ActivityStreamsInReplyToProperty
	GetActivityStreamsContext() vocab.ActivityStreamsContextProperty
	GetActivityStreamsTo() vocab.ActivityStreamsToProperty
	GetActivityStreamsCc() vocab.ActivityStreamsCcProperty
	GetActivityStreamsAudience() vocab.ActivityStreamsAudienceProperty
	GetActivityStreamsTag() vocab.ActivityStreamsTagProperty
	GetActivityStreamsPublished() vocab.ActivityStreamsPublishedProperty
	GetActivityStreamsUpdated() vocab.ActivityStreamsUpdatedProperty
}

// asPostObject returns t as a post object when it is of a type groups take.
func asPostObject(t vocab.Type) (postObject, bool) {
	if t == nil {
		return nil, false
	}
	switch t.GetTypeName() {
	case "Note", "Article", "Page", "Question", "Event":
		p, ok := t.(postObject)
		return p, ok
	}
	return nil, false
}

// iriIterator is one value of a property that holds IRIs or objects.
type iriIterator interface {
	IsIRI() bool
	GetIRI() *url.URL
	GetType() vocab.Type
}

// iriList is a property with several values, each an IRI or an object.
type iriList[I iriIterator] interface {
	Len() int
	At(int) I
}

// iris lists the ids a property holds; nil for an absent property.
func iris[I iriIterator](p iriList[I]) []string {
	if p == nil {
		return nil
	}
	var out []string
	for i := 0; i < p.Len(); i++ {
		if id := iteratorIRI(p.At(i)); id != nil {
			out = append(out, id.String())
		}
	}
	return out
}

// textOf reads the first string of a natural-language property (content, summary, name), plain or
// in a language map.
func textOf[I interface {
	IsXMLSchemaString() bool
	GetXMLSchemaString() string
	IsRDFLangString() bool
	GetRDFLangString() map[string]string
}](values []I) string {
	for _, v := range values {
		if v.IsXMLSchemaString() {
			return v.GetXMLSchemaString()
		}
		if v.IsRDFLangString() {
			for _, s := range v.GetRDFLangString() {
				return s
			}
		}
	}
	return ""
}

// readPost reads what a group keeps of a post object.
type readPost struct {
	ID          string
	Type        string
	Author      string
	ContentHTML string
	// Name is the object's name as sent: a poll vote's option.
	Name      string
	Summary   string
	URL       string
	InReplyTo string
	Context   string
	To, Cc    []string
	Audience  []string
	Mentions  []string
	Published time.Time
	Updated   time.Time
}

func readPostObject(p postObject) readPost {
	r := readPost{Type: p.GetTypeName()}
	if id := p.GetJSONLDId(); id != nil && id.Get() != nil {
		r.ID = id.Get().String()
	}
	r.Author = firstIRI(iris[vocab.ActivityStreamsAttributedToPropertyIterator](p.GetActivityStreamsAttributedTo()))
	if c := p.GetActivityStreamsContent(); c != nil {
		r.ContentHTML = textOf(collect[vocab.ActivityStreamsContentPropertyIterator](c))
	}
	if s := p.GetActivityStreamsSummary(); s != nil {
		r.Summary = textOf(collect[vocab.ActivityStreamsSummaryPropertyIterator](s))
	}
	if n := p.GetActivityStreamsName(); n != nil {
		r.Name = textOf(collect[vocab.ActivityStreamsNamePropertyIterator](n))
	}
	if n := p.GetActivityStreamsName(); n != nil && r.Type != "Note" && r.Type != "Question" {
		// Threaded servers (Lemmy's Page, Article, Event) carry the title in name.
		if title := textOf(collect[vocab.ActivityStreamsNamePropertyIterator](n)); title != "" {
			r.ContentHTML = "<p><strong>" + html.EscapeString(title) + "</strong></p>" + r.ContentHTML
		}
	}
	r.URL = firstIRI(iris[vocab.ActivityStreamsUrlPropertyIterator](p.GetActivityStreamsUrl()))
	r.InReplyTo = firstIRI(iris[vocab.ActivityStreamsInReplyToPropertyIterator](p.GetActivityStreamsInReplyTo()))
	r.Context = firstIRI(iris[vocab.ActivityStreamsContextPropertyIterator](p.GetActivityStreamsContext()))
	r.To = iris[vocab.ActivityStreamsToPropertyIterator](p.GetActivityStreamsTo())
	r.Cc = iris[vocab.ActivityStreamsCcPropertyIterator](p.GetActivityStreamsCc())
	r.Audience = iris[vocab.ActivityStreamsAudiencePropertyIterator](p.GetActivityStreamsAudience())
	if tags := p.GetActivityStreamsTag(); tags != nil {
		for it := tags.Begin(); it != tags.End(); it = it.Next() {
			if !it.IsActivityStreamsMention() {
				continue
			}
			if href := it.GetActivityStreamsMention().GetActivityStreamsHref(); href != nil && href.Get() != nil {
				r.Mentions = append(r.Mentions, href.Get().String())
			}
		}
	}
	if published := p.GetActivityStreamsPublished(); published != nil && published.IsXMLSchemaDateTime() {
		r.Published = published.Get()
	}
	if updated := p.GetActivityStreamsUpdated(); updated != nil && updated.IsXMLSchemaDateTime() {
		r.Updated = updated.Get()
	}
	return r
}

// collect lists the values of a go-fed property, for textOf.
func collect[I any](p interface {
	Len() int
	At(int) I
}) []I {
	out := make([]I, p.Len())
	for i := range out {
		out[i] = p.At(i)
	}
	return out
}

func firstIRI(iris []string) string {
	if len(iris) == 0 {
		return ""
	}
	return iris[0]
}

// isPublic reports whether iri names the Public collection, in any of the forms servers use.
func isPublic(iri string) bool {
	return iri == activities.PublicCollection || iri == "as:Public" || iri == "Public"
}

// visibility is how the author addressed the post: public (Public in to), unlisted (Public in cc),
// followers-only (their followers collection, no Public), or direct.
func (r readPost) visibility(authorFollowers string) model.Visibility {
	for _, iri := range r.To {
		if isPublic(iri) {
			return model.VisibilityPublic
		}
	}
	for _, iri := range append(r.Cc, r.Audience...) {
		if isPublic(iri) {
			return model.VisibilityUnlisted
		}
	}
	for _, iri := range append(r.To, r.Cc...) {
		if authorFollowers != "" && iri == authorFollowers {
			return model.VisibilityFollowers
		}
	}
	return model.VisibilityDirect
}

// addressees are every IRI the post names: to, cc, audience and mentions.
func (r readPost) addressees() []string {
	all := append(append(append([]string{}, r.To...), r.Cc...), r.Audience...)
	return append(all, r.Mentions...)
}
