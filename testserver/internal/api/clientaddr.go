package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// The client address is what the login and registration limits count by.
// It is the TCP peer's IP, unless the peer is a trusted proxy (a reverse
// proxy or load balancer named in Config.TrustedProxies): then it is read
// from X-Forwarded-For, the way nginx's real_ip module does it with
// set_real_ip_from and real_ip_recursive on.
//
// Each proxy appends the address it received the request from, so the
// header's entries are, from the right, what each hop saw; only entries
// appended by trusted hops can be believed. The header lines are taken in
// order as one list and walked right to left, skipping entries that are
// themselves trusted proxies; the first one that is not is the client, and
// whatever lies to its left (which the client may have written) is never
// read. When every entry is a trusted proxy the leftmost is the client. When
// there is no entry, or the walk reaches an entry that is not an IP address
// (a trusted hop passed on something it should not have), the peer is the
// client. An entry is an IP address, or an address and port (192.0.2.7:5000,
// [2001:db8::7]:5000); empty entries are skipped, IPv4-mapped IPv6 addresses
// are taken as the IPv4 address and zones are dropped. The Forwarded header
// (RFC 7239) is not read.

// ParseTrustedProxies reads a comma-separated list of trusted proxies, each
// a CIDR prefix (10.0.0.0/8, 2001:db8::/32) or a single IP address; spaces
// and empty entries are ignored. An entry that is neither, or a prefix with
// bits set past its length (10.1.0.0/8), is an error naming the entry.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for entry := range strings.SplitSeq(list, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		var p netip.Prefix
		if strings.Contains(entry, "/") {
			var err error
			if p, err = netip.ParsePrefix(entry); err != nil {
				return nil, fmt.Errorf("%q is not a CIDR prefix such as 10.0.0.0/8 or 2001:db8::/32", entry)
			}
		} else {
			ip, err := netip.ParseAddr(entry)
			if err != nil {
				return nil, fmt.Errorf("%q is neither an IP address nor a CIDR prefix", entry)
			}
			if ip.Zone() != "" {
				return nil, fmt.Errorf("%q: an IPv6 zone is not allowed", entry)
			}
			p = netip.PrefixFrom(ip, ip.BitLen())
		}
		p, err := trustedPrefix(p)
		if err != nil {
			return nil, fmt.Errorf("%q %w", entry, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// trustedPrefix checks a trusted proxy's prefix and gives an IPv4-mapped
// one (::ffff:10.0.0.0/104) as the IPv4 prefix it stands for, since
// addresses are compared unmapped.
func trustedPrefix(p netip.Prefix) (netip.Prefix, error) {
	if !p.IsValid() {
		return netip.Prefix{}, errors.New("is not a valid prefix")
	}
	if m := p.Masked(); m != p {
		return netip.Prefix{}, fmt.Errorf("has bits set past its /%d length (did you mean %s?)", p.Bits(), m)
	}
	if ip := p.Addr(); ip.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(ip.Unmap(), p.Bits()-96)
	}
	return p, nil
}

// checkTrustedProxies checks Config.TrustedProxies and returns them with
// mapped prefixes unmapped.
func checkTrustedProxies(list []netip.Prefix) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for i, p := range list {
		q, err := trustedPrefix(p)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %d (%s) %w", i+1, p, err)
		}
		out = append(out, q)
	}
	return out, nil
}

// clientAddr is the address r came from (see above), as the key the limits
// count by: an IPv4 address, or for IPv6 its /64 (one host usually holds a
// whole /64). Every limit and record that names a client address takes it
// from here.
func (a *API) clientAddr(r *http.Request) string { return resolveClientAddr(r, a.trustedProxies) }

// resolveClientAddr is clientAddr with the trusted proxies given.
func resolveClientAddr(r *http.Request, trusted []netip.Prefix) string {
	peer, ok := parseEntry(r.RemoteAddr)
	if !ok {
		return r.RemoteAddr
	}
	ip := peer
	if isTrusted(peer, trusted) {
		if fwd, ok := forwardedClient(r.Header.Values("X-Forwarded-For"), trusted); ok {
			ip = fwd
		}
	}
	if ip.Is4() {
		return ip.String()
	}
	return netip.PrefixFrom(ip, 64).Masked().String()
}

// forwardedClient walks the X-Forwarded-For lines right to left and returns
// the first entry that is not a trusted proxy, or the leftmost when all are;
// false when there is no entry or the walk meets one that is not an address.
func forwardedClient(lines []string, trusted []netip.Prefix) (netip.Addr, bool) {
	var client netip.Addr
	for i := len(lines) - 1; i >= 0; i-- {
		rest, more := lines[i], true
		for more {
			var entry string
			if j := strings.LastIndexByte(rest, ','); j >= 0 {
				entry, rest = rest[j+1:], rest[:j]
			} else {
				entry, more = rest, false
			}
			entry = strings.TrimSpace(entry)
			if entry == "" {
				continue
			}
			ip, ok := parseEntry(entry)
			if !ok {
				return netip.Addr{}, false
			}
			client = ip
			if !isTrusted(ip, trusted) {
				return client, true
			}
		}
	}
	return client, client.IsValid()
}

// parseEntry reads an IP address with or without a port, unmapped and
// without its zone.
func parseEntry(s string) (netip.Addr, bool) {
	ip, err := netip.ParseAddr(s)
	if err != nil {
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			return netip.Addr{}, false
		}
		ip = ap.Addr()
	}
	return ip.Unmap().WithZone(""), true
}

// isTrusted reports whether ip (unmapped, without a zone) is in a trusted
// proxy's prefix.
func isTrusted(ip netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
