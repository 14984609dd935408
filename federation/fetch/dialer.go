package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// ErrForbiddenAddress is returned when a remote name resolves to an address Kring must not reach.
var ErrForbiddenAddress = errors.New("address not allowed for remote fetches")

// forbiddenPrefixes are the addresses no remote fetch may reach (SSRF, CVE-2025-25194): loopback,
// private, link-local, carrier-grade NAT, documentation, benchmarking, multicast, reserved, and the
// IPv6 ranges outside global unicast. IPv4-mapped IPv6 addresses are unmapped before the check.
var forbiddenPrefixes = mustPrefixes(
	"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
	"192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
	"198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
	"2001:db8::/32", "2002::/16", "64:ff9b::/96", "64:ff9b:1::/48", "2001::/32", "2001:10::/28", "2001:20::/28",
)

// globalUnicast is the only IPv6 space remote servers live in.
var globalUnicast = netip.MustParsePrefix("2000::/3")

func mustPrefixes(cidrs ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(cidrs))
	for i, c := range cidrs {
		out[i] = netip.MustParsePrefix(c)
	}
	return out
}

// addressAllowed says whether a connection to addr may be made: a public address, or one inside the
// operator's allow-list (KRING_FETCH_ALLOW, used by tests and private deployments).
func addressAllowed(addr netip.Addr, allow []netip.Prefix) bool {
	addr = addr.Unmap()
	for _, p := range allow {
		if p.Contains(addr) {
			return true
		}
	}
	if addr.Is6() && !globalUnicast.Contains(addr) {
		return false
	}
	for _, p := range forbiddenPrefixes {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// guardedDialer dials like net.Dialer but checks each address it is about to connect to, after name
// resolution, so neither a DNS answer nor a redirect can steer Kring to a forbidden address.
func guardedDialer(allow []netip.Prefix, timeout time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	dialer := &net.Dialer{
		Timeout:   timeout,
		KeepAlive: 30 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
			}
			ip, err := netip.ParseAddr(host)
			if err != nil || !addressAllowed(ip, allow) {
				return fmt.Errorf("%w: %s", ErrForbiddenAddress, host)
			}
			return nil
		},
	}
	return dialer.DialContext
}
