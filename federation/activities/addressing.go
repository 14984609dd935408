package activities

import (
	"net/url"
	"time"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"github.com/kring-social/kring/app/model"
)

// PublicCollection is the special collection that makes an object public.
const PublicCollection = "https://www.w3.org/ns/activitystreams#Public"

// Audience is who a group's activity is addressed to: public posts go to Public with the group's
// followers in cc, unlisted ones the other way round (Mastodon's convention for both).
type Audience struct {
	Visibility model.Visibility
	Followers  string // the group's followers collection
	Group      string // the group actor: the FEP-1b12 audience
}

// addressed is what every object and activity Kring addresses can take.
type addressed interface {
	SetActivityStreamsTo(vocab.ActivityStreamsToProperty)
	SetActivityStreamsCc(vocab.ActivityStreamsCcProperty)
	SetActivityStreamsAudience(vocab.ActivityStreamsAudienceProperty)
}

func (a Audience) apply(t addressed) error {
	first, second, group, err := a.iris()
	if err != nil {
		return err
	}
	to := streams.NewActivityStreamsToProperty()
	to.AppendIRI(first)
	t.SetActivityStreamsTo(to)
	cc := streams.NewActivityStreamsCcProperty()
	cc.AppendIRI(second)
	t.SetActivityStreamsCc(cc)
	audience := streams.NewActivityStreamsAudienceProperty()
	audience.AppendIRI(group)
	t.SetActivityStreamsAudience(audience)
	return nil
}

// iris are the audience's to, cc and audience.
func (a Audience) iris() (to, cc, audience *url.URL, err error) {
	public, err := parseIRI(PublicCollection)
	if err != nil {
		return nil, nil, nil, err
	}
	followers, err := parseIRI(a.Followers)
	if err != nil {
		return nil, nil, nil, err
	}
	group, err := parseIRI(a.Group)
	if err != nil {
		return nil, nil, nil, err
	}
	if a.Visibility == model.VisibilityUnlisted {
		return followers, public, group, nil
	}
	return public, followers, group, nil
}

// actorProperty is an actor property holding one IRI.
func actorProperty(actor *url.URL) vocab.ActivityStreamsActorProperty {
	p := streams.NewActivityStreamsActorProperty()
	p.AppendIRI(actor)
	return p
}

// publishedProperty is a published property at t, to the second as servers show it.
func publishedProperty(t time.Time) vocab.ActivityStreamsPublishedProperty {
	p := streams.NewActivityStreamsPublishedProperty()
	p.Set(t.UTC().Truncate(time.Second))
	return p
}

// objectIRIProperty is an object property holding one IRI.
func objectIRIProperty(object *url.URL) vocab.ActivityStreamsObjectProperty {
	p := streams.NewActivityStreamsObjectProperty()
	p.AppendIRI(object)
	return p
}
