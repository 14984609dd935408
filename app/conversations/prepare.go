package conversations

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/textinput"
)

// Limits on what one post of the group's carries, as Mastodon's on a status.
const (
	// MaxImages is how many pictures one post may have.
	MaxImages = 4
	// MaxImageAlt bounds a picture's alt text.
	MaxImageAlt = 1500
	// MaxMentions bounds the accounts one post may mention: each is looked up on its server while
	// the writer waits.
	MaxMentions = 10
	// mentionLookupTime bounds the lookup of one mentioned account (WebFinger, then its actor).
	mentionLookupTime = 10 * time.Second
	// concurrentMentionLookups is how many of a post's mentions are looked up at once.
	concurrentMentionLookups = 4
)

// DraftImage is one picture of a draft: a file Kring already stored for post media (PostImages
// names them), with its alt text.
type DraftImage struct {
	Name string
	Alt  string `json:",omitempty"`
}

// MentionedActor is an account a post mentions, as its server described it.
type MentionedActor struct {
	Handle     string // "@user@host" as Mastodon names the Mention
	Username   string // the user part, as the post's HTML shows it
	ActorIRI   string
	ProfileURL string // where a reader is sent: the actor's url, else its id
}

// MentionResolver finds the account an @user@host handle names on its server (WebFinger, then its
// actor document), and keeps it so deliveries can reach its inbox.
type MentionResolver interface {
	ResolveMention(ctx context.Context, mention textinput.Mention) (MentionedActor, error)
}

// PostImages tells about pictures Kring stored for posts, by name: the media type and size of one
// that exists, an error for a name Kring would not have given a post's picture or that is not there.
type PostImages interface {
	PostImage(name string) (mediaType string, width, height int, err error)
}

// Prepared is a draft checked and with its mentions looked up, ready to be published (or an edit
// saved) inside a transaction without asking any other server. It is plain data, so a scheduled
// publication may keep it, though preparing again at publication time sees accounts as they are
// then.
type Prepared struct {
	Text       string // checked, trimmed
	Summary    string
	Language   string
	Pin        bool
	CampaignID string
	Hashtags   []model.PostHashtag
	Mentions   []MentionedActor
	Images     []model.PostMedia
	InReplyTo  string
}

// WithMentionResolver returns the service looking up the accounts posts mention through resolver.
func (s *Service) WithMentionResolver(resolver MentionResolver) *Service {
	c := *s
	c.mentions = resolver
	return &c
}

// WithPostImages returns the service taking pictures of posts from images.
func (s *Service) WithPostImages(images PostImages) *Service {
	c := *s
	c.images = images
	return &c
}

// PrepareDraft checks draft and looks up the accounts it mentions on their servers, before any
// transaction: a mention that cannot be found refuses the draft, naming it, so nothing is
// published that would not reach the people it names.
func (s *Service) PrepareDraft(ctx context.Context, draft Draft) (Prepared, error) {
	prepared, err := s.prepareWithoutLookups(draft)
	if err != nil {
		return Prepared{}, err
	}
	mentions := textinput.Mentions(prepared.Text)
	if len(mentions) > MaxMentions {
		return Prepared{}, apperror.Invalid("text", "may mention at most %d accounts (got %d)", MaxMentions, len(mentions))
	}
	if len(mentions) == 0 {
		return prepared, nil
	}
	answered, answering, err := s.answeredAuthor(ctx, prepared.InReplyTo)
	if err != nil {
		return Prepared{}, err
	}
	prepared.Mentions = make([]MentionedActor, len(mentions))
	lookups, lookupCtx := errgroup.WithContext(ctx)
	lookups.SetLimit(concurrentMentionLookups)
	for i, mention := range mentions {
		if known, ok := knownMention(answered, mention); answering && ok {
			prepared.Mentions[i] = known
			continue
		}
		if s.mentions == nil {
			return Prepared{}, apperror.Invalid("text", "mentions cannot be looked up here; write %s without the @", mention.Handle())
		}
		lookups.Go(func() error {
			ctx, cancel := context.WithTimeout(lookupCtx, mentionLookupTime)
			defer cancel()
			actor, err := s.mentions.ResolveMention(ctx, mention)
			if err != nil {
				return mentionNotFound(mention, err)
			}
			prepared.Mentions[i] = actor
			return nil
		})
	}
	if err := lookups.Wait(); err != nil {
		return Prepared{}, err
	}
	return prepared, nil
}

// mentionNotFound is the refusal of a draft whose mention could not be looked up, naming it.
func mentionNotFound(mention textinput.Mention, err error) error {
	reason := "it could not be found"
	if errors.Is(err, context.DeadlineExceeded) {
		reason = "its server did not answer in time"
	}
	return &apperror.Error{Kind: apperror.KindInvalid, Field: "text",
		Message: fmt.Sprintf("cannot mention %s: %s", mention.Handle(), reason), Cause: err}
}

// prepareWithoutLookups checks draft and finds its hashtags and pictures; its mentions are left
// for PrepareDraft, and stay plain text for posts Kring writes itself (a group's rules).
func (s *Service) prepareWithoutLookups(draft Draft) (Prepared, error) {
	text, summary, err := draft.checked()
	if err != nil {
		return Prepared{}, err
	}
	language, err := textinput.LanguageCode("language", strings.TrimSpace(draft.Language))
	if err != nil {
		return Prepared{}, err
	}
	images, err := s.draftImages(draft.Images)
	if err != nil {
		return Prepared{}, err
	}
	prepared := Prepared{Summary: summary, Language: language, Pin: draft.Pin, CampaignID: draft.CampaignID, Images: images,
		InReplyTo: draft.InReplyTo}
	return prepared.withText(text), nil
}

// withText is prepared with text as its text and the hashtags text has (a campaign's hashtag is
// added to a post as it is published).
func (prepared Prepared) withText(text string) Prepared {
	prepared.Text, prepared.Hashtags = text, nil
	for _, name := range textinput.Hashtags(text) {
		prepared.Hashtags = append(prepared.Hashtags, model.PostHashtag{Tag: textinput.HashtagKey(name), Name: name})
	}
	return prepared
}

// draftImages checks a draft's pictures: at most MaxImages, each one Kring stored for posts, with
// alt text of at most MaxImageAlt characters.
func (s *Service) draftImages(images []DraftImage) ([]model.PostMedia, error) {
	if len(images) > MaxImages {
		return nil, apperror.Invalid("images", "a post may have at most %d pictures (got %d)", MaxImages, len(images))
	}
	if len(images) > 0 && s.images == nil {
		return nil, apperror.Invalid("images", "pictures cannot be attached here")
	}
	media := make([]model.PostMedia, 0, len(images))
	for i, image := range images {
		field := fmt.Sprintf("alt%d", i+1)
		alt, err := textinput.Text(field, image.Alt, MaxImageAlt)
		if err != nil {
			return nil, err
		}
		mediaType, width, height, err := s.images.PostImage(image.Name)
		if err != nil {
			return nil, &apperror.Error{Kind: apperror.KindInvalid, Field: "images",
				Message: fmt.Sprintf("picture %d is not one Kring stored for a post", i+1), Cause: err}
		}
		media = append(media, model.PostMedia{Position: i, Name: image.Name, MediaType: mediaType, Width: width, Height: height, Alt: alt})
	}
	return media, nil
}

// PreviewHTML is the content the prepared post would have in group, for staff to see before it is
// published.
func (s *Service) PreviewHTML(group model.Group, prepared Prepared) string {
	return s.contentHTML(group, prepared)
}

// contentHTML is the prepared text as the group's post shows it in group: its hashtags linked to
// the group's page of that tag, its mentions to the accounts' profiles.
func (s *Service) contentHTML(group model.Group, prepared Prepared) string {
	links := textinput.PostLinks{
		HashtagURL: func(tag string) string { return s.federator.GroupTagURL(group, tag) },
		Mentions:   map[string]textinput.MentionLink{},
	}
	for _, m := range prepared.Mentions {
		links.Mentions[m.Handle] = textinput.MentionLink{ProfileURL: m.ProfileURL}
	}
	return textinput.PostToHTML(prepared.Text, links)
}

// parts are what the prepared post carries beside its text, as stored with it.
func (prepared Prepared) parts() model.PostParts {
	parts := model.PostParts{Media: append([]model.PostMedia(nil), prepared.Images...),
		Hashtags: append([]model.PostHashtag(nil), prepared.Hashtags...)}
	seen := map[string]bool{}
	for _, m := range prepared.Mentions {
		if !seen[m.ActorIRI] { // two handles may name one account
			seen[m.ActorIRI] = true
			parts.Mentions = append(parts.Mentions, model.PostMention{ActorIRI: m.ActorIRI, Name: m.Handle})
		}
	}
	return parts
}
