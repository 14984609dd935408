package community

import (
	"context"
	"sync"
	"time"
)

// limitMemoryMax bounds the members remembered as over the support inbox's hourly limit; when full,
// the memory is emptied (a member forgotten is one locked read away from being remembered again).
const limitMemoryMax = 10_000

// limitMemory remembers, in this process, the members found over a group's support inbox limit and
// until when the limit holds for them (store.SupportLimitHoldsUntil). A count of the hour's
// messages at the limit only falls as its oldest leave the hour, so until then another message of
// hers is refused at once, without a transaction: a flood's excess costs no database work (a
// redelivery of one of her stored messages is then refused rather than found known: neither writes
// anything). Every process keeps its own; one that has not seen her refuses her through its locked
// read, as before.
type limitMemory struct {
	mu    sync.Mutex
	until map[limitKey]time.Time
}

type limitKey struct{ groupID, actorID string }

func newLimitMemory() *limitMemory { return &limitMemory{until: map[limitKey]time.Time{}} }

// holds says whether the limit is known to hold for the member at now.
func (m *limitMemory) holds(groupID, actorID string, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := limitKey{groupID, actorID}
	until, ok := m.until[key]
	if ok && !now.Before(until) {
		delete(m.until, key)
		return false
	}
	return ok
}

// remember notes that the limit holds for the member until until.
func (m *limitMemory) remember(groupID, actorID string, until time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.until) >= limitMemoryMax {
		clear(m.until)
	}
	m.until[limitKey{groupID, actorID}] = until
}

// HeldBack carries what limitMemory learns beyond this process: that a member is over a group's
// support limit until a time. The inboxes then acknowledge her direct messages to the group without
// storing them, since every worker would refuse them: a flood's excess costs no insert, no task and
// no processing. It is a hint, not the limit: a note lost, late or never read costs only the work it
// would have saved, and the worker still refuses her messages by its own memory and its locked read.
type HeldBack interface {
	HoldBack(ctx context.Context, groupID, actorIRI string, until time.Time)
}
