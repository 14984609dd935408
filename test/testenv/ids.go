package testenv

import (
	"time"

	"github.com/google/uuid"
)

// IDAt is an id (UUIDv7) as model.NewID would have made it at t: a row a test backdates needs one,
// as queries that prune by age bound their walk of the primary key by the time in the id.
func IDAt(t time.Time) string {
	id := uuid.Must(uuid.NewV7())
	ms := uint64(t.UnixMilli())
	for i := range 6 {
		id[i] = byte(ms >> (8 * (5 - i)))
	}
	return id.String()
}
