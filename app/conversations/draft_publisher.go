package conversations

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/store"
)

// DraftPublisher publishes the drafts the drafts service keeps (a Draft as JSON) as the groups: the
// drafts service's Publisher.
type DraftPublisher struct{ Service *Service }

// EncodeDraft is the JSON a draft is kept as.
func EncodeDraft(draft Draft) (string, error) {
	out, err := json.Marshal(draft)
	if err != nil {
		return "", fmt.Errorf("encode draft: %w", err)
	}
	return string(out), nil
}

// DecodeDraft reads a draft kept as JSON.
func DecodeDraft(content string) (Draft, error) {
	var draft Draft
	decoder := json.NewDecoder(bytes.NewReader([]byte(content)))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&draft); err != nil {
		return Draft{}, apperror.Invalid("content", "the draft cannot be read: %v", err)
	}
	return draft, nil
}

// Prepare reads the draft and checks it can be published: its pictures are there and the accounts
// it mentions are looked up (PrepareDraft), before any transaction.
func (p DraftPublisher) Prepare(ctx context.Context, content string) (any, error) {
	draft, err := DecodeDraft(content)
	if err != nil {
		return nil, err
	}
	return p.Service.PrepareDraft(ctx, draft)
}

// PublishIn publishes the prepared draft in each group inside tx, the posts joined by publicationID.
func (p DraftPublisher) PublishIn(ctx context.Context, tx *store.Store, groupIDs []string, staffID *string, prepared any, publicationID string) error {
	ready, ok := prepared.(Prepared)
	if !ok {
		return fmt.Errorf("publish draft %s: prepared as %T, not a Prepared draft", publicationID, prepared)
	}
	_, err := p.Service.PublishPreparedIn(ctx, tx, groupIDs, staffID, ready, &publicationID)
	return err
}
