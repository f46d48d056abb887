package reliability

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed/terraform-provider-identity/testserver"
)

// throttleSeed fixes the proxy's random choices, so every run injects the
// same share of faults (the order still depends on Terraform's scheduling).
const throttleSeed = 20260101

// throttlingProxy answers a seeded random 25% of requests with 429
// (Retry-After: 1) and 5% with 503 (no Retry-After), as a gateway in front of
// a busy server would, and passes the rest to the server.
type throttlingProxy struct {
	*countingProxy
	limited, unavailable atomic.Int64
}

func newThrottlingProxy(t *testing.T, target string) *throttlingProxy {
	t.Helper()
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(throttleSeed, throttleSeed)) //nolint:gosec // reproducible faults, not secrets
	p := &throttlingProxy{}
	p.countingProxy = newCountingProxy(t, target, func(w http.ResponseWriter, r *http.Request) bool {
		mu.Lock()
		x := rng.Float64()
		mu.Unlock()
		switch {
		case x < 0.25:
			p.limited.Add(1)
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, "429 Too Many Requests\n")
			return true
		case x < 0.30:
			p.unavailable.Add(1)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "503 Service Unavailable\n")
			return true
		}
		return false
	})
	return p
}

func (p *throttlingProxy) String() string {
	return fmt.Sprintf("%d requests: %d answered 429, %d answered 503, %d passed",
		p.received.Load(), p.limited.Load(), p.unavailable.Load(), p.forwarded.Load())
}

// TestFaults_ThrottledPlans applies the 315-resource configuration (150
// users, 15 groups, 150 memberships) at -parallelism=50 through a proxy that
// answers 25% of requests 429 and 5% 503, then runs two plans
// (TestSoak_ThrottledPlans: ten) through the same proxy. The apply must
// succeed in one run and every plan must succeed with no changes: the client
// keeps retrying throttled requests within request_timeout rather than giving
// up after a fixed number of attempts.
func TestFaults_ThrottledPlans(t *testing.T) { throttledPlans(t, 2) }

// TestSoak_ThrottledPlans is the ten-plan run (make soak).
func TestSoak_ThrottledPlans(t *testing.T) {
	if !soak() {
		t.Skip("set IDENTITY_SOAK=1 (make soak) for the ten-plan run")
	}
	throttledPlans(t, 10)
}

func throttledPlans(t *testing.T, plans int) {
	const users, groups, memberships = 150, 15, 150
	f := newTF(t)
	s := testserver.Start(t)
	p := newThrottlingProxy(t, s.URL)
	f.write(providerBlock(p.URL, s.Token) + loadConfig(users, groups, memberships))

	// The apply must succeed at once; it is re-run (at most five times, as a
	// user would) only so that a failure still leads to the plans and their
	// figures.
	start := time.Now()
	runs := 0
	for {
		runs++
		out, errOut, err := f.run(10*time.Minute, "apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=50")
		if err == nil {
			break
		}
		t.Errorf("apply run %d through the throttling proxy failed: %s", runs, firstError(errOut))
		if runs == 5 {
			t.Fatalf("apply did not converge in 5 runs (%s):\n%s\n%s", p, tail(out, 2000), tail(errOut, 3000))
		}
	}
	applied := time.Since(start)
	t.Logf("apply of %d resources at -parallelism=50: %d run(s), %s; %s", users+groups+memberships, runs, applied.Round(time.Millisecond), p)

	checkLoadStored(t, openDB(t, s.DBPath), users, groups, memberships)

	var failed, changed []string
	var durations []time.Duration
	for i := range plans {
		before := p.received.Load()
		start := time.Now()
		out, errOut, err := f.run(10*time.Minute, "plan", "-input=false", "-no-color", "-detailed-exitcode")
		d := time.Since(start)
		durations = append(durations, d)
		var ee *exec.ExitError
		switch {
		case err == nil:
		case errors.As(err, &ee) && ee.ExitCode() == 2:
			changed = append(changed, fmt.Sprintf("plan %d:\n%s", i+1, tail(out, 2000)))
		default:
			failed = append(failed, fmt.Sprintf("plan %d (%s): %s", i+1, d.Round(time.Millisecond), firstError(errOut)))
		}
		t.Logf("plan %d: %s, %d requests, outcome %v", i+1, d.Round(time.Millisecond), p.received.Load()-before, err)
	}
	sortDurations(durations)
	t.Logf("%d plans: %d failed, %d with changes; slowest %s; %s", plans, len(failed), len(changed), durations[len(durations)-1].Round(time.Millisecond), p)
	for _, msg := range failed {
		t.Error(msg)
	}
	for _, msg := range changed {
		t.Errorf("plan after apply has changes: %s", msg)
	}
	if p.limited.Load() == 0 || p.unavailable.Load() == 0 {
		t.Errorf("no fault was injected: %s", p)
	}
}

// firstError returns the first "Error:" diagnostic of terraform's stderr,
// folded onto one line.
func firstError(stderr string) string {
	i := strings.Index(stderr, "Error:")
	if i < 0 {
		return tail(stderr, 500)
	}
	s := stderr[i:]
	if j := strings.Index(s[1:], "Error:"); j >= 0 {
		s = s[:j+1]
	}
	return tail(strings.Join(strings.Fields(s), " "), 500)
}
