package api

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

func TestClientAddr(t *testing.T) {
	trusted := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("192.0.2.1/32"),
		netip.MustParsePrefix("2001:db8:ffff::/48"),
	}
	for _, c := range []struct {
		name    string
		trusted []netip.Prefix
		remote  string
		xff     []string // the X-Forwarded-For lines, nil for none
		want    string
	}{
		// No trusted proxies: the peer, whatever the header says.
		{"ipv4 peer", nil, "192.0.2.7:5000", []string{"203.0.113.1"}, "192.0.2.7"},
		{"ipv6 peer is its /64", nil, "[2001:db8:1:2:3:4:5:6]:443", []string{"203.0.113.1"}, "2001:db8:1:2::/64"},
		{"another host of the /64", nil, "[2001:db8:1:2:ffff:0:0:1]:80", nil, "2001:db8:1:2::/64"},
		{"mapped peer is its ipv4", nil, "[::ffff:192.0.2.7]:5000", nil, "192.0.2.7"},
		{"zoned peer", nil, "[fe80::1%eth0]:5000", nil, "fe80::/64"},
		{"unparsable peer is kept", nil, "not-an-address", []string{"203.0.113.1"}, "not-an-address"},
		{"peer without a port", nil, "192.0.2.7", nil, "192.0.2.7"},

		// The peer is not trusted: the header is not read.
		{"untrusted peer", trusted, "192.0.2.7:5000", []string{"203.0.113.1"}, "192.0.2.7"},
		{"untrusted peer next to a trusted one", trusted, "192.0.2.2:5000", []string{"203.0.113.1"}, "192.0.2.2"},
		{"untrusted peer in a trusted hop's /64", trusted, "[2001:db8:fffe::1]:5000", []string{"203.0.113.1"}, "2001:db8:fffe::/64"},

		// A trusted peer: the rightmost untrusted entry.
		{"one hop", trusted, "10.1.2.3:5000", []string{"203.0.113.7"}, "203.0.113.7"},
		{"no header", trusted, "10.1.2.3:5000", nil, "10.1.2.3"},
		{"empty header", trusted, "10.1.2.3:5000", []string{""}, "10.1.2.3"},
		{"only commas and spaces", trusted, "10.1.2.3:5000", []string{" , ,"}, "10.1.2.3"},
		{"a prepended fake is not read", trusted, "10.1.2.3:5000", []string{"9.9.9.9, 203.0.113.7"}, "203.0.113.7"},
		{"prepended garbage is not read", trusted, "10.1.2.3:5000", []string{"<script>, 203.0.113.7"}, "203.0.113.7"},
		{"trusted hops skipped", trusted, "10.1.2.3:5000", []string{"9.9.9.9, 203.0.113.7, 10.9.9.9, 192.0.2.1"}, "203.0.113.7"},
		{"all trusted: the leftmost", trusted, "10.1.2.3:5000", []string{"10.0.0.5, 192.0.2.1,10.0.0.6"}, "10.0.0.5"},
		{"lines joined in order", trusted, "10.1.2.3:5000", []string{"9.9.9.9", "203.0.113.7, 10.0.0.9", "10.0.0.8"}, "203.0.113.7"},
		{"client in an earlier line", trusted, "10.1.2.3:5000", []string{"9.9.9.9, 203.0.113.8", "10.0.0.9", "10.0.0.8"}, "203.0.113.8"},
		{"empty entries skipped", trusted, "10.1.2.3:5000", []string{"203.0.113.7,, 10.0.0.9 ,"}, "203.0.113.7"},
		{"tabs around entries", trusted, "10.1.2.3:5000", []string{"203.0.113.7\t,\t10.0.0.9"}, "203.0.113.7"},
		{"ipv4 with a port", trusted, "10.1.2.3:5000", []string{"203.0.113.7:41000"}, "203.0.113.7"},
		{"ipv6 entry is its /64", trusted, "10.1.2.3:5000", []string{"2001:db8:5:6:7:8:9:a"}, "2001:db8:5:6::/64"},
		{"bracketed ipv6 with a port", trusted, "10.1.2.3:5000", []string{"[2001:db8:5:6::1]:443"}, "2001:db8:5:6::/64"},
		{"zoned entry", trusted, "10.1.2.3:5000", []string{"fe80::1%eth0"}, "fe80::/64"},
		{"trusted ipv6 peer", trusted, "[2001:db8:ffff:1::2]:5000", []string{"203.0.113.7"}, "203.0.113.7"},
		{"trusted ipv6 hop", trusted, "10.1.2.3:5000", []string{"203.0.113.7, 2001:db8:ffff::9"}, "203.0.113.7"},

		// IPv4-mapped IPv6 compares as IPv4, as peer and as entry.
		{"mapped trusted peer", trusted, "[::ffff:10.1.2.3]:5000", []string{"203.0.113.7"}, "203.0.113.7"},
		{"mapped client entry", trusted, "10.1.2.3:5000", []string{"::ffff:203.0.113.7"}, "203.0.113.7"},
		{"mapped trusted hop skipped", trusted, "10.1.2.3:5000", []string{"203.0.113.7, ::ffff:192.0.2.1"}, "203.0.113.7"},
		{"mapped entries all trusted", trusted, "10.1.2.3:5000", []string{"::ffff:10.0.0.5, 10.0.0.6"}, "10.0.0.5"},

		// An entry the walk reaches that is not an address: the peer.
		{"malformed header", trusted, "10.1.2.3:5000", []string{"not-an-ip"}, "10.1.2.3"},
		{"malformed after a trusted hop", trusted, "10.1.2.3:5000", []string{"203.0.113.7, garbage, 10.0.0.9"}, "10.1.2.3"},
		{"unknown", trusted, "10.1.2.3:5000", []string{"unknown"}, "10.1.2.3"},
		{"a prefix is not an address", trusted, "10.1.2.3:5000", []string{"203.0.113.0/24"}, "10.1.2.3"},
		{"leading zeros", trusted, "10.1.2.3:5000", []string{"203.0.113.007"}, "10.1.2.3"},
		{"port out of range", trusted, "10.1.2.3:5000", []string{"203.0.113.7:70000"}, "10.1.2.3"},
		{"ipv6 port without brackets", trusted, "10.1.2.3:5000", []string{"2001:db8::1:443x"}, "10.1.2.3"},
		{"quoted", trusted, "10.1.2.3:5000", []string{`"203.0.113.7"`}, "10.1.2.3"},
		{"huge garbage", trusted, "10.1.2.3:5000", []string{strings.Repeat("9", 100000)}, "10.1.2.3"},
		{"mapped ipv6 peer is trusted when its ipv4 is", trusted, "[::ffff:192.0.2.1]:1", []string{"2001:db8:1::1"}, "2001:db8:1::/64"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := &http.Request{RemoteAddr: c.remote, Header: http.Header{}}
			for _, v := range c.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := resolveClientAddr(r, c.trusted); got != c.want {
				t.Errorf("remote %s, X-Forwarded-For %q: %q, want %q", c.remote, c.xff, got, c.want)
			}
		})
	}
}

// The Forwarded header (RFC 7239) is not read, from a trusted peer either.
func TestClientAddrIgnoresForwarded(t *testing.T) {
	r := &http.Request{RemoteAddr: "10.1.2.3:5000", Header: http.Header{"Forwarded": {"for=203.0.113.7"}}}
	if got := resolveClientAddr(r, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}); got != "10.1.2.3" {
		t.Fatalf("Forwarded was read: %q", got)
	}
}

func TestParseTrustedProxies(t *testing.T) {
	got, err := ParseTrustedProxies(" 10.0.0.0/8, 192.0.2.7,,2001:db8::/32 , ::ffff:172.16.0.0/108, ::ffff:198.51.100.1, 2001:db8::1,")
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("192.0.2.7/32"),
		netip.MustParsePrefix("2001:db8::/32"),
		netip.MustParsePrefix("172.16.0.0/12"),
		netip.MustParsePrefix("198.51.100.1/32"),
		netip.MustParsePrefix("2001:db8::1/128"),
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d: %v, want %v", i, got[i], want[i])
		}
	}
	if got, err := ParseTrustedProxies(" , "); err != nil || len(got) != 0 {
		t.Errorf("an empty list: %v %v", got, err)
	}
	for entry, want := range map[string]string{
		"10.0.0.0/33":    `"10.0.0.0/33" is not a CIDR prefix`,
		"10.0.0.300":     `"10.0.0.300" is neither an IP address nor a CIDR prefix`,
		"lb.internal":    `"lb.internal" is neither`,
		"10.1.0.0/8":     `"10.1.0.0/8" has bits set past its /8 length (did you mean 10.0.0.0/8?)`,
		"fe80::1%eth0":   `"fe80::1%eth0": an IPv6 zone is not allowed`,
		"10.0.0.1:8080":  `"10.0.0.1:8080" is neither`,
		"10.0.0.0/8/8":   `"10.0.0.0/8/8" is not a CIDR prefix`,
		"10.0.0.0 / 8":   `"10.0.0.0 / 8" is not a CIDR prefix`,
		"10.0.0.1 10.0.": `"10.0.0.1 10.0." is neither`,
	} {
		_, err := ParseTrustedProxies("192.0.2.1, " + entry + ", 10.0.0.0/8")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one containing %s", entry, err, want)
		}
	}
}

func TestCheckTrustedProxies(t *testing.T) {
	got, err := checkTrustedProxies([]netip.Prefix{netip.MustParsePrefix("::ffff:10.0.0.0/104"), netip.MustParsePrefix("192.0.2.0/24")})
	if err != nil || len(got) != 2 || got[0] != netip.MustParsePrefix("10.0.0.0/8") || got[1] != netip.MustParsePrefix("192.0.2.0/24") {
		t.Fatalf("got %v %v", got, err)
	}
	if _, err := checkTrustedProxies([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), {}}); err == nil || !strings.Contains(err.Error(), "trusted proxy 2") {
		t.Errorf("the zero prefix: %v", err)
	}
	if _, err := checkTrustedProxies([]netip.Prefix{netip.MustParsePrefix("10.9.0.0/8")}); err == nil || !strings.Contains(err.Error(), "did you mean 10.0.0.0/8") {
		t.Errorf("bits past the length: %v", err)
	}
}
