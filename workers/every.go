package workers

import (
	"context"
	"time"
)

// every runs fn every interval, starting one interval from now, until ctx ends. A run that takes
// longer than interval delays the next one rather than piling runs up.
func every(ctx context.Context, interval time.Duration, fn func()) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			fn()
		}
	}
}
