package activities

import (
	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"
)

// inReplyToProperty names the post an object answers, so the answered author's app threads them.
func inReplyToProperty(answeredIRI string) (vocab.ActivityStreamsInReplyToProperty, error) {
	answered, err := parseIRI(answeredIRI)
	if err != nil {
		return nil, err
	}
	inReplyTo := streams.NewActivityStreamsInReplyToProperty()
	inReplyTo.AppendIRI(answered)
	return inReplyTo, nil
}
