package testserver_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/seed/terraform-provider-identity/testserver"
)

// The client address behind a load balancer: X-Forwarded-For is read only
// from a trusted proxy, right to left, skipping trusted hops. These tests
// connect from loopback addresses (see from) and set the header themselves,
// as a proxy in front of the server would.

// post sends a JSON body to path with each of xff as an X-Forwarded-For
// line, and returns the answer.
func (p peer) post(path string, body any, xff ...string) resp {
	p.t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequest("POST", p.s.URL+path, bytes.NewReader(b))
	if err != nil {
		p.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for _, line := range xff {
		req.Header.Add("X-Forwarded-For", line)
	}
	hr, err := p.client.Do(req)
	if err != nil {
		p.t.Fatalf("POST %s: %v", path, err)
	}
	defer hr.Body.Close()
	raw, _ := io.ReadAll(hr.Body)
	r := resp{status: hr.StatusCode, header: hr.Header, raw: raw, body: map[string]any{}}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// loginVia logs in as username with xff as the X-Forwarded-For lines.
func (p peer) loginVia(username, password string, xff ...string) resp {
	p.t.Helper()
	return p.post("/api/v1/login", map[string]string{"username": username, "password": password}, xff...)
}

// registerVia sends a registration that is refused as invalid (400) unless
// the address is throttled (429).
func (p peer) registerVia(xff ...string) resp {
	p.t.Helper()
	return p.post("/api/v1/register", map[string]string{"username": "u", "email": "bad", "password": "p"}, xff...)
}

// expect fails the test unless r has the status.
func expect(t *testing.T, r resp, status int, what string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: %d %s, want %d", what, r.status, r.raw, status)
	}
	if status == http.StatusTooManyRequests && r.header.Get("Retry-After") == "" {
		t.Fatalf("%s: 429 without Retry-After", what)
	}
}

func loopback() []netip.Prefix { return []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")} }

// TestAttack_SpoofedForwardedForDoesNotDodgeTheLimits: without trusted
// proxies, a client that writes a new X-Forwarded-For on every request is
// still one address: its guesses on one account, its failures over all
// accounts and its registrations all hit their limits.
func TestAttack_SpoofedForwardedForDoesNotDodgeTheLimits(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Options{LoginMaxFailures: 3, LoginMaxAddressFailures: 8})
	as(t, s, s.Token).must(200, "PATCH", "/api/v1/settings", map[string]any{"self_registration": true})
	mkUser(t, s, "alice", "guest")
	spoofer := from(t, s, "127.0.6.1")
	fake := 0
	next := func() string { fake++; return fmt.Sprintf("198.51.100.%d", fake) }

	for i := range 3 {
		expect(t, spoofer.loginVia("alice", fmt.Sprintf("guess-%d", i), next()), http.StatusUnauthorized, "guess on alice")
	}
	expect(t, spoofer.loginVia("alice", "password-alice", next()), http.StatusTooManyRequests, "alice after 3 guesses under fresh fake addresses")
	for i := range 5 {
		expect(t, spoofer.loginVia(fmt.Sprintf("someone-%d", i), "guess", next()), http.StatusUnauthorized, "guess on another account")
	}
	expect(t, spoofer.loginVia("someone-else", "guess", next(), next()), http.StatusTooManyRequests, "the address's 9th failure")

	for range 10 {
		expect(t, spoofer.registerVia(next()), http.StatusBadRequest, "registration")
	}
	expect(t, spoofer.registerVia(next()), http.StatusTooManyRequests, "the 11th registration under a fresh fake address")

	// The header named no one: a real client at one of the fake addresses is untouched.
	expect(t, from(t, s, "127.0.6.2").loginVia("alice", "password-alice"), http.StatusOK, "another address")
}

// TestAttack_ClientsBehindATrustedProxyCountApart: with the load balancer
// (loopback here) trusted, clients it forwards are told apart by the
// address it appends: one client's wrong passwords lock the account for
// that client only, and its failures over all accounts and its
// registrations fill its own limits, not those of everyone behind the
// balancer. A peer that is not trusted is still its own address, whatever
// it writes in the header.
func TestAttack_ClientsBehindATrustedProxyCountApart(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Options{LoginMaxFailures: 3, LoginMaxAddressFailures: 8, TrustedProxies: loopback()})
	as(t, s, s.Token).must(200, "PATCH", "/api/v1/settings", map[string]any{"self_registration": true})
	mkUser(t, s, "alice", "guest")
	balancer := from(t, s, "127.0.0.1")
	const a, b = "203.0.113.10", "203.0.113.20"

	for i := range 3 {
		expect(t, balancer.loginVia("alice", fmt.Sprintf("guess-%d", i), a), http.StatusUnauthorized, "A's guess on alice")
	}
	expect(t, balancer.loginVia("alice", "password-alice", a), http.StatusTooManyRequests, "A after 3 guesses")
	expect(t, balancer.loginVia("alice", "password-alice", b), http.StatusOK, "B, the owner, through the same balancer")
	expect(t, balancer.loginVia("alice", "password-alice"), http.StatusOK, "the balancer itself, no header")

	// A's failures over all accounts: 3 so far, 5 more reach its 8.
	for i := range 5 {
		expect(t, balancer.loginVia(fmt.Sprintf("someone-%d", i), "guess", a), http.StatusUnauthorized, "A's guess on another account")
	}
	expect(t, balancer.loginVia("someone-else", "guess", a), http.StatusTooManyRequests, "A's 9th failure")
	expect(t, balancer.loginVia("someone-else", "guess", b), http.StatusUnauthorized, "B's first failure on the same account")
	expect(t, balancer.loginVia("alice", "password-alice", b), http.StatusOK, "B after A's cap")

	// Registrations count per forwarded address too.
	for range 10 {
		expect(t, balancer.registerVia(a), http.StatusBadRequest, "A's registration")
	}
	expect(t, balancer.registerVia(a), http.StatusTooManyRequests, "A's 11th registration")
	expect(t, balancer.registerVia(b), http.StatusBadRequest, "B's registration after A's limit")

	// A peer outside the trusted proxies writing A's address is not A.
	direct := from(t, s, "127.0.7.1")
	expect(t, direct.loginVia("alice", "password-alice", a), http.StatusOK, "an untrusted peer claiming to be A")
	expect(t, direct.registerVia(a), http.StatusBadRequest, "an untrusted peer's registration claiming to be A")
	// And its own failures are its own, whatever it claims.
	for i := range 3 {
		expect(t, direct.loginVia("alice", fmt.Sprintf("guess-%d", i), fmt.Sprintf("198.51.100.%d", i)), http.StatusUnauthorized, "the untrusted peer's guess")
	}
	expect(t, direct.loginVia("alice", "password-alice", b), http.StatusTooManyRequests, "the untrusted peer claiming to be B")
	expect(t, balancer.loginVia("alice", "password-alice", b), http.StatusOK, "B through the balancer")
}

// TestAttack_PrependedForwardedForIsNotBelieved: a client behind the
// trusted balancer writes its own X-Forwarded-For, which the balancer
// appends the client's real address to. The server keys on that appended
// address, never on what the client wrote left of it: changing the fake
// entry (or sending garbage there) dodges nothing, and the address the
// client pretends to be is not blamed.
func TestAttack_PrependedForwardedForIsNotBelieved(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Options{LoginMaxFailures: 4, TrustedProxies: loopback()})
	mkUser(t, s, "alice", "guest")
	balancer := from(t, s, "127.0.0.1")
	const realAddr = "203.0.113.7"

	expect(t, balancer.loginVia("alice", "guess-0", "9.9.9.9, "+realAddr), http.StatusUnauthorized, "guess behind 9.9.9.9")
	expect(t, balancer.loginVia("alice", "guess-1", "9.9.9.8, "+realAddr), http.StatusUnauthorized, "guess behind 9.9.9.8")
	expect(t, balancer.loginVia("alice", "guess-2", "not-an-address, "+realAddr), http.StatusUnauthorized, "guess behind garbage")
	// A fake entry in a header line of its own, before the balancer's.
	expect(t, balancer.loginVia("alice", "guess-3", "9.9.9.7", realAddr), http.StatusUnauthorized, "guess behind a separate line")
	expect(t, balancer.loginVia("alice", "password-alice", "9.9.9.6, "+realAddr), http.StatusTooManyRequests, "the client after 4 guesses, under a new fake")
	expect(t, balancer.loginVia("alice", "password-alice", realAddr), http.StatusTooManyRequests, "the client's real address")
	expect(t, balancer.loginVia("alice", "password-alice", "9.9.9.9"), http.StatusOK, "a client really at 9.9.9.9")
	expect(t, balancer.loginVia("alice", "password-alice", "127.0.0.1"), http.StatusOK, "the balancer's own address")
}

// TestAttack_MalformedForwardedForCountsOnThePeer: from a trusted proxy, a
// header whose entry the walk reaches is not an address (garbage, or an
// address with a bad port) counts on the peer's own address, as if the
// header were absent; it never lets the sender pick a fresh address.
func TestAttack_MalformedForwardedForCountsOnThePeer(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Options{LoginMaxFailures: 4, TrustedProxies: loopback()})
	mkUser(t, s, "alice", "guest")
	balancer := from(t, s, "127.0.0.1")
	malformed := []string{"not-an-ip", "203.0.113.7:99999", "203.0.113.7, 1.2.3.4.5", "[2001:db8::1"}
	for _, xff := range malformed {
		expect(t, balancer.loginVia("alice", "guess", xff), http.StatusUnauthorized, "guess with X-Forwarded-For "+xff)
	}
	expect(t, balancer.loginVia("alice", "password-alice"), http.StatusTooManyRequests, "the peer without a header, after 4 malformed guesses")
	expect(t, balancer.loginVia("alice", "password-alice", "unknown"), http.StatusTooManyRequests, "the peer with another malformed header")
	expect(t, balancer.loginVia("alice", "password-alice", "203.0.113.7"), http.StatusOK, "a forwarded client")
}

// An invalid prefix in Options.TrustedProxies stops the start.
func TestTrustedProxiesOptionChecked(t *testing.T) {
	t.Parallel()
	for _, p := range []netip.Prefix{{}, netip.MustParsePrefix("10.1.0.0/8")} {
		opts := testserver.Options{SuperuserPassword: "a-good-password", PasswordCost: "low",
			DBPath: t.TempDir() + "/identity.db", TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), p}}
		s, err := testserver.New(opts)
		if err == nil {
			_ = s.Close()
			t.Fatalf("started with trusted proxy %v", p)
		}
		if want := "trusted proxy 2 (" + p.String() + ")"; !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}
