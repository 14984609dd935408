package main

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// runProbe fetches one URL and succeeds on 200. Container images have no curl; the binary itself
// serves as the health check.
func runProbe(ctx context.Context, inv *invocation) error {
	if len(inv.args) != 1 {
		return usageErrorf("usage: kring probe URL")
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, inv.args[0], nil)
	if err != nil {
		return usageErrorf("bad URL %q: %v", inv.args[0], err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("probe %s: %w", inv.args[0], err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("probe %s: status %d", inv.args[0], resp.StatusCode)
	}
	return nil
}
