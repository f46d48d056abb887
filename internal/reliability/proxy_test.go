package reliability

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
)

// countingProxy is a reverse proxy in front of a server. It counts every
// request it receives, whatever the method or path, so a test that gives
// Terraform only the proxy's URL knows exactly how many requests the provider
// sent. intercept, when set, may answer a request itself instead of passing it
// on (it returns true when it did).
type countingProxy struct {
	*httptest.Server
	received  atomic.Int64
	forwarded atomic.Int64
	// upstream passes a request to the server; intercept may use it to let
	// the server act and then answer differently.
	upstream http.Handler
}

func newCountingProxy(t *testing.T, target string, intercept func(w http.ResponseWriter, r *http.Request) bool) *countingProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &countingProxy{upstream: httputil.NewSingleHostReverseProxy(u)}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.received.Add(1)
		if intercept != nil && intercept(w, r) {
			return
		}
		p.forwarded.Add(1)
		p.upstream.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}
