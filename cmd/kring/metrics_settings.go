package main

import (
	"errors"
	"fmt"
	"strings"
)

// applyMetricsListen reads KRING_METRICS_LISTEN: a host:port like KRING_LISTEN's, or empty for no
// metrics listener.
func applyMetricsListen(c *Config, v string) error {
	if v == "" {
		return nil
	}
	if err := checkListenAddress(v); err != nil {
		return fmt.Errorf("%w (for metrics, such as 127.0.0.1:9090)", err)
	}
	c.MetricsListen = v
	return nil
}

// minMetricsToken keeps guessable tokens out: 32 characters is what `openssl rand -hex 16` prints.
const minMetricsToken = 32

// applyMetricsToken reads KRING_METRICS_TOKEN: empty, or a token long enough not to be guessed and
// without characters a scraper's header could not carry.
func applyMetricsToken(c *Config, v string) error {
	if v == "" {
		return nil
	}
	if len(v) < minMetricsToken {
		return fmt.Errorf("must be at least %d characters (such as the output of `openssl rand -hex 16`), or empty", minMetricsToken)
	}
	if strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return errors.New("must be printable ASCII without spaces")
	}
	c.MetricsToken = v
	return nil
}
