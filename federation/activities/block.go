package activities

import (
	"fmt"
	"time"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"
)

// BlockRef is a group's Block of a member: kept with the ban (its id and time), so the Undo sent on
// unban embeds the same Block.
type BlockRef struct {
	ID     string
	Group  string // the group actor
	Member string // the blocked actor
	At     time.Time
}

// Block builds the group's Block of a member, addressed to the member only: Mastodon takes it as
// "this account blocks you" and drops the member's follow of the group.
func Block(ref BlockRef) (vocab.Type, error) {
	block := streams.NewActivityStreamsBlock()
	if err := setCommon(block, ref.ID, ref.Group, ref.Member); err != nil {
		return nil, err
	}
	member, err := parseIRI(ref.Member)
	if err != nil {
		return nil, err
	}
	block.SetActivityStreamsObject(objectIRIProperty(member))
	block.SetActivityStreamsPublished(publishedProperty(ref.At))
	return block, nil
}

// UndoBlock builds the Undo of a Block, addressed like it; the Block is embedded, since Mastodon
// reads the blocked account from the embedded object.
func UndoBlock(id string, ref BlockRef, at time.Time) (vocab.Type, error) {
	block, err := Block(ref)
	if err != nil {
		return nil, err
	}
	undo := streams.NewActivityStreamsUndo()
	if err := setCommon(undo, id, ref.Group, ref.Member); err != nil {
		return nil, err
	}
	object := streams.NewActivityStreamsObjectProperty()
	if err := object.AppendType(block); err != nil {
		return nil, fmt.Errorf("embed Block in Undo: %w", err)
	}
	undo.SetActivityStreamsObject(object)
	undo.SetActivityStreamsPublished(publishedProperty(at))
	return undo, nil
}
