package activities

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-fed/activity/streams"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/federation"
)

// hashtagContext declares the Hashtag type, which go-fed's vocabulary does not model, as Mastodon's
// own context does.
var hashtagContext = map[string]any{"Hashtag": "as:Hashtag"}

// GroupNoteDocument is the group's own post as a serialized Note, with what it carries beside its
// text, as Mastodon writes a status: its hashtags and mentions as `tag`, the accounts it mentions in
// `cc` (so their servers show it to them), its pictures as Document attachments named by their alt
// text, its text again as `contentMap` in its language, and `sensitive` under a content warning
// (which hides its pictures too).
func GroupNoteDocument(iris federation.IRIs, group model.Group, post model.Post, parts model.PostParts) (map[string]any, error) {
	note, err := GroupNote(iris, group, post)
	if err != nil {
		return nil, err
	}
	doc, err := streams.Serialize(note)
	if err != nil {
		return nil, fmt.Errorf("serialize the Note of post %s: %w", post.ID, err)
	}
	AddGroupPostParts(doc, iris, group, post, parts)
	MarkSensitiveDocument(doc)
	return doc, nil
}

// GroupPostActivityJSON is GroupPostActivity serialized, the embedded Note of a Create or an
// Update as GroupNoteDocument writes it and the activity addressed to the accounts it mentions too.
func GroupPostActivityJSON(kind, id string, iris federation.IRIs, group model.Group, post model.Post, parts model.PostParts, at time.Time) ([]byte, error) {
	activity, err := GroupPostActivity(kind, id, iris, group, post, at)
	if err != nil {
		return nil, err
	}
	doc, err := streams.Serialize(activity)
	if err != nil {
		return nil, fmt.Errorf("serialize %s of post %s: %w", kind, post.ID, err)
	}
	if note, ok := doc["object"].(map[string]any); ok {
		AddGroupPostParts(note, iris, group, post, parts)
		addMentionedToCc(doc, parts.Mentions)
		if _, declared := note["tag"]; declared {
			declareHashtag(doc)
		}
	}
	MarkSensitiveDocument(doc)
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode %s of post %s: %w", kind, post.ID, err)
	}
	return body, nil
}

// AddGroupPostParts adds to a serialized Note of the group's own post its tags, attachments,
// contentMap and mentioned accounts in cc.
func AddGroupPostParts(note map[string]any, iris federation.IRIs, group model.Group, post model.Post, parts model.PostParts) {
	if post.Language != "" {
		if content, ok := note["content"].(string); ok {
			note["contentMap"] = map[string]any{post.Language: content}
		}
	}
	var tags []any
	for _, h := range parts.Hashtags {
		tags = append(tags, map[string]any{"type": "Hashtag", "href": iris.GroupTag(group.Slug, h.Tag), "name": "#" + h.Name})
	}
	for _, m := range parts.Mentions {
		tags = append(tags, map[string]any{"type": "Mention", "href": m.ActorIRI, "name": m.Name})
	}
	if len(tags) > 0 {
		note["tag"] = tags
		declareHashtag(note)
	}
	var attachments []any
	for _, m := range parts.Media {
		attachments = append(attachments, map[string]any{"type": "Document", "mediaType": m.MediaType,
			"url": iris.Media(m.Name), "name": m.Alt, "width": m.Width, "height": m.Height})
	}
	if len(attachments) > 0 {
		note["attachment"] = attachments
	}
	addMentionedToCc(note, parts.Mentions)
}

// declareHashtag adds the Hashtag term to doc's @context, when doc has one.
func declareHashtag(doc map[string]any) {
	if context, ok := doc["@context"]; ok {
		contexts := NewContextSet(context)
		contexts.Add(hashtagContext)
		doc["@context"] = contexts.Value()
	}
}

// addMentionedToCc adds the mentioned accounts to doc's cc, which go-fed writes as one IRI or a
// list of them.
func addMentionedToCc(doc map[string]any, mentions []model.PostMention) {
	if len(mentions) == 0 {
		return
	}
	var cc []any
	switch current := doc["cc"].(type) {
	case string:
		cc = []any{current}
	case []any:
		cc = current
	}
	for _, m := range mentions {
		cc = append(cc, m.ActorIRI)
	}
	doc["cc"] = cc
}
