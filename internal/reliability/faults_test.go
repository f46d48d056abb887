package reliability

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed/terraform-provider-identity/testserver"
)

// faultProxy sits between the provider and the server and, by a fixed
// rotation over requests, answers one in ten with 429 (Retry-After: 1), one
// in ten with 503, and drops the connection of one in twenty without any
// response: a POST before it reaches the server (so it never happened),
// any other method after the server applied it (so only the answer is lost).
type faultProxy struct {
	*countingProxy
	n, limited, unavailable, dropped  atomic.Int64
	droppedBefore, droppedAfter, pass atomic.Int64
	on                                atomic.Bool
}

func newFaultProxy(t *testing.T, target string) *faultProxy {
	t.Helper()
	p := &faultProxy{}
	p.on.Store(true)
	drop := func(w http.ResponseWriter) {
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic("response writer cannot hijack")
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}
	p.countingProxy = newCountingProxy(t, target, func(w http.ResponseWriter, r *http.Request) bool {
		if !p.on.Load() || r.URL.Path == "/healthz" {
			return false
		}
		i := p.n.Add(1)
		switch {
		case i%10 == 3:
			p.limited.Add(1)
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"type":"https://identity.example/problems/rate-limited","title":"Too many requests","status":429}`))
		case i%10 == 7:
			p.unavailable.Add(1)
			w.WriteHeader(http.StatusServiceUnavailable)
		case i%20 == 11:
			p.dropped.Add(1)
			if r.Method == http.MethodPost {
				p.droppedBefore.Add(1)
				drop(w)
				return true
			}
			// Let the server apply it, then lose the answer.
			p.droppedAfter.Add(1)
			p.upstream.ServeHTTP(httptest.NewRecorder(), r)
			drop(w)
		default:
			p.pass.Add(1)
			return false
		}
		return true
	})
	return p
}

func (p *faultProxy) String() string {
	return fmt.Sprintf("%d requests: %d answered 429, %d answered 503, %d connections dropped (%d POSTs before the server, %d others after it), %d passed",
		p.n.Load(), p.limited.Load(), p.unavailable.Load(), p.dropped.Load(), p.droppedBefore.Load(), p.droppedAfter.Load(), p.pass.Load())
}

const faultsConfig = `
resource "identity_role" "deployer" {
  name  = "deployer"
  level = 50
}

resource "identity_user" "u" {
  count    = 40
  username = "faulty-${count.index}"
  email    = "faulty-${count.index}@example.com"
  role     = count.index % 2 == 0 ? "guest" : identity_role.deployer.name
}

resource "identity_group" "g" {
  count = 4
  name  = "faulty-group-${count.index}"
}

resource "identity_group_membership" "m" {
  count    = 40
  group_id = identity_group.g[count.index % 4].id
  user_id  = identity_user.u[count.index].id
}

resource "identity_group_members" "all" {
  group_id = identity_group.g[0].id
  user_ids = identity_user.u[*].id
}

resource "identity_permission" "p" {
  count     = 4
  operation = "VIEW_PROJECT"
  scope     = "project:faulty-${count.index}"
  group_id  = identity_group.g[count.index].id
}
`

// TestFaults_ProxyConverges applies through the fault proxy. Retries absorb
// the 429s, 503s and lost answers of idempotent requests; a POST whose
// connection dropped fails that apply (the client never repeats a POST the
// server may have applied), so apply is re-run, as a user would, until it
// succeeds (at most 6 runs). Then the server holds each object exactly once,
// the next plan (still through the proxy) is empty, and destroy removes
// everything.
func TestFaults_ProxyConverges(t *testing.T) {
	f := newTF(t)
	s := testserver.Start(t)
	p := newFaultProxy(t, s.URL)
	f.write(providerBlock(p.URL, s.Token) + faultsConfig)

	runs := 0
	var lastErr string
	for runs < 6 {
		runs++
		out, errOut, err := f.run(5*time.Minute, "apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=10")
		if err == nil {
			lastErr = ""
			break
		}
		lastErr = out + errOut
		// Only the dropped POSTs may fail an apply.
		if !strings.Contains(errOut, "connection") && !strings.Contains(errOut, "EOF") {
			t.Fatalf("apply %d failed for a reason other than a dropped connection:\n%s", runs, tail(errOut, 3000))
		}
	}
	if lastErr != "" {
		t.Fatalf("apply did not converge in %d runs:\n%s", runs, tail(lastErr, 3000))
	}
	db := openDB(t, s.DBPath)
	for q, want := range map[string]int{
		`SELECT count(*) FROM users WHERE username LIKE 'faulty-%'`:            40,
		`SELECT count(*) FROM groups_ WHERE name LIKE 'faulty-group-%'`:        4,
		`SELECT count(*) FROM roles WHERE name = 'deployer'`:                   1,
		`SELECT count(*) FROM memberships`:                                     40 + 40 - 10,
		`SELECT count(*) FROM permissions WHERE scope LIKE 'project:faulty-%'`: 4,
	} {
		if got := dbCount(t, db, q); got != want {
			t.Errorf("%s: %d, want %d", q, got, want)
		}
	}
	if empty, out := f.planIsEmpty(3 * time.Minute); !empty {
		t.Errorf("plan through the proxy after convergence is not empty:\n%s", tail(out, 3000))
	}
	if p.limited.Load() == 0 || p.unavailable.Load() == 0 || p.droppedAfter.Load() == 0 {
		t.Errorf("not every fault was injected: %s", p)
	}
	t.Logf("converged in %d apply run(s); %s", runs, p)

	p.on.Store(false)
	f.must(5*time.Minute, "destroy", "-auto-approve", "-input=false", "-no-color")
	if n := dbCount(t, db, `SELECT count(*) FROM users WHERE NOT is_system`) + dbCount(t, db, `SELECT count(*) FROM groups_`) + dbCount(t, db, `SELECT count(*) FROM permissions`); n != 0 {
		t.Errorf("%d objects left after destroy", n)
	}
	checkDBIntegrity(t, db)
}
