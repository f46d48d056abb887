package testserver_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed/terraform-provider-identity/testserver"
)

// peer is an HTTP client whose connections come from one loopback address,
// so the server sees it as its own client address (127.0.0.0/8 is all
// loopback on Linux).
type peer struct {
	t      *testing.T
	s      *testserver.Server
	client *http.Client
}

func from(t *testing.T, s *testserver.Server, ip string) peer {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 64}
	t.Cleanup(tr.CloseIdleConnections)
	return peer{t: t, s: s, client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// login posts a login and returns the answer; it is safe to call from many
// goroutines (it reports errors with Errorf).
func (p peer) login(username, password string) resp {
	b, _ := json.Marshal(map[string]string{"username": username, "password": password})
	hr, err := p.client.Post(p.s.URL+"/api/v1/login", "application/json", bytes.NewReader(b))
	if err != nil {
		p.t.Errorf("login %s: %v", username, err)
		return resp{}
	}
	defer hr.Body.Close()
	raw, _ := io.ReadAll(hr.Body)
	r := resp{status: hr.StatusCode, header: hr.Header, raw: raw, body: map[string]any{}}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// TestAttack_UnknownUserLoginsBoundHashing: a crowd of logins for unknown
// users, each from its own address (so no login throttle applies), never runs
// more password checks at once than the bound; those that find every slot
// taken for the whole wait are answered 503 with Retry-After instead of
// queueing without limit, which is what held ~19 MiB per request before.
func TestAttack_UnknownUserLoginsBoundHashing(t *testing.T) {
	t.Parallel()
	var inFlight, peak atomic.Int64
	s := testserver.Start(t, testserver.Options{
		HashConcurrency: 2,
		HashWait:        50 * time.Millisecond,
		HashObserver: func(n int) {
			for {
				p := peak.Load()
				if int64(n) <= p || peak.CompareAndSwap(p, int64(n)) {
					break
				}
			}
			inFlight.Add(1)
			// A check at the default cost takes tens of milliseconds; hold
			// the slot that long so the crowd really competes.
			time.Sleep(100 * time.Millisecond)
			inFlight.Add(-1)
		},
	})
	const n = 30
	answers := together(n, func(i int) resp {
		return from(t, s, fmt.Sprintf("127.0.1.%d", i+1)).login(fmt.Sprintf("nobody-%d", i), "a-wrong-password")
	})
	got := statuses(answers)
	if p := peak.Load(); p > 2 || p < 1 {
		t.Errorf("peak password checks in flight = %d, want 1..2", p)
	}
	if got[http.StatusServiceUnavailable] == 0 || got[http.StatusUnauthorized] == 0 || got[http.StatusServiceUnavailable]+got[http.StatusUnauthorized] != n {
		t.Fatalf("answers %v: want some 401 (checked) and some 503 (busy), nothing else", got)
	}
	for _, r := range answers {
		if r.status == http.StatusServiceUnavailable {
			if r.header.Get("Retry-After") != "1" || !strings.HasSuffix(r.str("type"), "/busy") ||
				r.header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("busy answer without Retry-After or problem type: %v %s", r.header, r.raw)
			}
		}
	}
	// The busy answers were not counted as failures: the server is free again.
	anon := as(t, s, "")
	anon.must(200, "POST", "/api/v1/login", map[string]string{"username": "system", "password": s.SuperuserPassword})
}

// TestAttack_ConcurrentGuessesStopAtTheThreshold: a burst of 40 logins on one
// account from one address, one of them with the right password, checks at
// most the threshold (5) wrong passwords; the rest are 429 with Retry-After. A
// success inside the burst does not erase the burst's failures, so the next
// guess brings the failures to 5 and the right password is then refused too.
// Before, 33-39 wrong passwords were checked and the right one accepted.
func TestAttack_ConcurrentGuessesStopAtTheThreshold(t *testing.T) {
	t.Parallel()
	var started atomic.Int64
	var armed atomic.Bool
	allIn := make(chan struct{})
	var once sync.Once
	s := testserver.Start(t, testserver.Options{
		HashConcurrency: 16,
		HashObserver: func(int) {
			if !armed.Load() {
				return
			}
			// Hold every check until five are under way (or a second has
			// passed), so the five overlap: a real burst, whatever the
			// scheduler does.
			if started.Add(1) == 5 {
				once.Do(func() { close(allIn) })
			}
			select {
			case <-allIn:
			case <-time.After(time.Second):
			}
		},
	})
	mkUser(t, s, "target", "guest")
	armed.Store(true)
	attacker := from(t, s, "127.0.2.1")
	answers := together(40, func(i int) resp {
		if i == 20 {
			return attacker.login("target", "password-target")
		}
		return attacker.login("target", fmt.Sprintf("guess-%d", i))
	})
	got := statuses(answers)
	// A success ends its reservation without a failure, so it may free a
	// place for one more check; wrong passwords never exceed five.
	checked := got[http.StatusOK] + got[http.StatusUnauthorized]
	if got[http.StatusUnauthorized] > 5 || got[http.StatusOK] > 1 || got[http.StatusTooManyRequests] != 40-checked {
		t.Fatalf("answers %v: at most 5 wrong passwords checked, the rest 429", got)
	}
	if n := started.Load(); n > int64(5+got[http.StatusOK]) {
		t.Errorf("%d passwords were checked, want at most %d", n, 5+got[http.StatusOK])
	}
	for _, r := range answers {
		if r.status == http.StatusTooManyRequests && r.header.Get("Retry-After") == "" {
			t.Fatalf("429 without Retry-After: %s", r.raw)
		}
	}
	failures := got[http.StatusUnauthorized]
	if failures < 5 {
		// The right password was among the five: its success left the other
		// four failures, so one more guess is checked and fills the window.
		if r := attacker.login("target", "one-more-guess"); r.status != http.StatusUnauthorized {
			t.Fatalf("guess after a burst with %d failures: %d %s, want 401", failures, r.status, r.raw)
		}
	}
	if r := attacker.login("target", "password-target"); r.status != http.StatusTooManyRequests {
		t.Fatalf("right password after five failures: %d %s, want 429", r.status, r.raw)
	}
}

// TestAttack_StrangerCannotLockAnAccountOut: guesses on an account (the
// system user included) from one address lock that account for that address
// only; its owner, elsewhere, still logs in. An address's failures over all
// accounts are capped too, so guessing across accounts stops as well.
func TestAttack_StrangerCannotLockAnAccountOut(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Options{LoginMaxFailures: 3, LoginMaxAddressFailures: 10})
	mkUser(t, s, "alice", "guest")
	stranger, owner := from(t, s, "127.0.3.1"), from(t, s, "127.0.3.2")
	for _, account := range []struct{ name, password string }{{"alice", "password-alice"}, {"system", s.SuperuserPassword}} {
		for i := range 3 {
			if r := stranger.login(account.name, fmt.Sprintf("guess-%d", i)); r.status != http.StatusUnauthorized {
				t.Fatalf("guess %d on %s: %d %s", i, account.name, r.status, r.raw)
			}
		}
		if r := stranger.login(account.name, account.password); r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
			t.Fatalf("the stranger's fourth try on %s: %d %v, want 429 with Retry-After", account.name, r.status, r.header)
		}
		if r := owner.login(account.name, account.password); r.status != http.StatusOK {
			t.Fatalf("the owner of %s, from elsewhere: %d %s, want 200", account.name, r.status, r.raw)
		}
	}
	// 6 failures so far; 4 more on fresh names reach the address's 10.
	for i := range 4 {
		if r := stranger.login(fmt.Sprintf("someone-%d", i), "guess"); r.status != http.StatusUnauthorized {
			t.Fatalf("guess on someone-%d: %d %s", i, r.status, r.raw)
		}
	}
	if r := stranger.login("someone-else", "guess"); r.status != http.StatusTooManyRequests {
		t.Fatalf("the address's 11th failure: %d %s, want 429", r.status, r.raw)
	}
	if r := owner.login("alice", "password-alice"); r.status != http.StatusOK {
		t.Fatalf("another address after the stranger's cap: %d %s", r.status, r.raw)
	}
}

// TestAttack_DisabledAccountLooksLikeAWrongPassword: the right password of a
// disabled account gets the same 401 as a wrong one; the audit log says why.
func TestAttack_DisabledAccountLooksLikeAWrongPassword(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	id, _ := mkUser(t, s, "dormant", "guest")
	as(t, s, s.Token).must(200, "PATCH", "/api/v1/users/"+id, map[string]any{"disabled": true})
	anon := as(t, s, "")
	right := anon.must(401, "POST", "/api/v1/login", map[string]string{"username": "dormant", "password": "password-dormant"})
	wrong := anon.must(401, "POST", "/api/v1/login", map[string]string{"username": "dormant", "password": "a-wrong-password"})
	if right.str("detail") != wrong.str("detail") || !bytes.Equal(right.raw, wrong.raw) {
		t.Fatalf("disabled %s, wrong %s: want the same answer", right.raw, wrong.raw)
	}
	if n := count(t, s, `SELECT count(*) FROM audit WHERE action = 'session.login' AND actor_id = ? AND detail = 'the account is disabled'`, id); n != 1 {
		t.Fatalf("audit rows with the reason = %d, want 1", n)
	}
}
