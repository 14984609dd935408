package inbox

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/kring-social/kring/federation"
)

// maxDoorAddressees bounds the addressees directMessageGroups reads; a direct message with more is
// left to the worker.
const maxDoorAddressees = 64

// directMessageGroups reads, from an activity's envelope, whether it surely is a direct message to
// some of Kring's groups, and the slugs of every group it names in its object's to, cc, audience and
// tags. It reads as the worker does (readPost's visibility and addressees, applyCreate's way to the
// support inbox), but only the plainest shape: a Create of an embedded Note with no name (a poll's
// vote has one), whose to, cc and audience are strings or arrays of strings with no Public among
// them, addressing at least one group in to, cc or audience. Anything else says no, and the
// activity is stored for the worker to decide. The groups are a superset of the worker's: the href
// of every tag counts, where the worker takes its Mentions'.
func directMessageGroups(env envelope, iris federation.IRIs) ([]string, bool) {
	object := env.embedded
	if env.Type != "Create" || object == nil {
		return nil, false
	}
	if kind, ok := stringValue(object["type"]); !ok || kind != "Note" {
		return nil, false
	}
	if _, named := object["name"]; named {
		return nil, false
	}
	var addressees []string
	for _, member := range []string{"to", "cc", "audience"} {
		values, ok := plainIRIs(object[member])
		if !ok {
			return nil, false
		}
		addressees = append(addressees, values...)
	}
	tagged, ok := tagHrefs(object["tag"])
	if !ok || len(addressees)+len(tagged) > maxDoorAddressees {
		return nil, false
	}
	var slugs []string
	addressed := false
	for i, iri := range append(addressees, tagged...) {
		if looksPublic(iri) {
			return nil, false
		}
		slug, ok := iris.GroupSlugOf(iri)
		if !ok {
			continue
		}
		addressed = addressed || i < len(addressees)
		if !slices.Contains(slugs, slug) {
			slugs = append(slugs, slug)
		}
	}
	return slugs, addressed
}

// looksPublic takes every spelling of the Public collection as public, the worker's (isPublic) and
// the plain-http one it does not know: the door errs towards storing.
func looksPublic(iri string) bool {
	return isPublic(iri) || strings.HasSuffix(iri, "#Public")
}

// plainIRIs reads an addressing member that is absent, a string, or an array of strings.
func plainIRIs(raw json.RawMessage) ([]string, bool) {
	value := bytes.TrimSpace(raw)
	if len(value) == 0 {
		return nil, true
	}
	if value[0] == '"' {
		var iri string
		if json.Unmarshal(value, &iri) != nil {
			return nil, false
		}
		return []string{iri}, true
	}
	var iris []string
	if value[0] != '[' || json.Unmarshal(value, &iris) != nil || len(iris) > maxDoorAddressees {
		return nil, false
	}
	return iris, true
}

// tagHrefs reads the href of every tag that is an object with one (a Mention, a Hashtag, an Emoji's
// icon has none); a tag given as an IRI counts as one too. Any other shape says no.
func tagHrefs(raw json.RawMessage) ([]string, bool) {
	value := bytes.TrimSpace(raw)
	if len(value) == 0 {
		return nil, true
	}
	var tags []json.RawMessage
	if value[0] == '[' {
		if json.Unmarshal(value, &tags) != nil || len(tags) > maxDoorAddressees {
			return nil, false
		}
	} else {
		tags = []json.RawMessage{value}
	}
	var hrefs []string
	for _, tag := range tags {
		tag = bytes.TrimSpace(tag)
		if iri, ok := stringValue(tag); ok {
			hrefs = append(hrefs, iri)
			continue
		}
		var members map[string]json.RawMessage
		if len(tag) == 0 || tag[0] != '{' || json.Unmarshal(tag, &members) != nil {
			return nil, false
		}
		if href, present := members["href"]; present {
			iri, ok := stringValue(href)
			if !ok {
				return nil, false
			}
			hrefs = append(hrefs, iri)
		}
	}
	return hrefs, true
}

// heldInGroups are the ids of the groups a direct message is for, when it surely is one (see
// directMessageGroups) and every group it names is one of Kring's, live: the groups whose support
// limit the inbox quota checks it against. nil leaves the activity to the worker.
func (r *Receiver) heldInGroups(ctx context.Context, env envelope) []string {
	slugs, ok := directMessageGroups(env, r.cfg.IRIs)
	if !ok {
		return nil
	}
	ids := make([]string, 0, len(slugs))
	for _, slug := range slugs {
		group, err := r.group(ctx, slug)
		if err != nil || group.ArchivedAt != nil {
			return nil // unknown, unreadable or archived: the worker decides
		}
		ids = append(ids, group.ID)
	}
	return ids
}
