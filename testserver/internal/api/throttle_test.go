package api

import (
	"net/http"
	"testing"
)

func TestClientAddr(t *testing.T) {
	for remote, want := range map[string]string{
		"192.0.2.7:5000":               "192.0.2.7",
		"[2001:db8:1:2:3:4:5:6]:443":   "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff:0:0:1]:80": "2001:db8:1:2::/64",
		"[::ffff:192.0.2.7]:5000":      "::ffff:192.0.2.7",
		"not-an-address":               "not-an-address",
	} {
		r := &http.Request{RemoteAddr: remote, Header: http.Header{"X-Forwarded-For": {"203.0.113.1"}}}
		if got := clientAddr(r); got != want {
			t.Errorf("clientAddr(%q) = %q, want %q", remote, got, want)
		}
	}
}
