package groups

import (
	"context"
	"fmt"
)

// DefaultConcurrentImageDecodes is how many uploads a Service decodes at once unless told otherwise:
// each may take about 150 MB (image_limits.go), and these machines have two cores.
const DefaultConcurrentImageDecodes = 2

// imageSlots bounds how many pictures are decoded at once: a slot is taken for each upload's
// decoding and scaling, and an upload that finds none free waits for one.
type imageSlots chan struct{}

// acquire waits for a free slot, or for ctx to end, and returns the function that frees it.
func (s imageSlots) acquire(ctx context.Context) (release func(), err error) {
	select {
	case s <- struct{}{}:
		return func() { <-s }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("wait to decode a picture: %w", ctx.Err())
	}
}

// WithConcurrentImageDecodes returns a copy of s that decodes at most n uploaded pictures at once
// (at least one); copies made from it share its slots.
func (s *Service) WithConcurrentImageDecodes(n int) *Service {
	with := *s
	with.imageDecodes = make(imageSlots, max(1, n))
	return &with
}
