package reliability

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/seed/terraform-provider-identity/internal/client"
	"github.com/seed/terraform-provider-identity/testserver"
)

// replicaLoad is one size of the replica test's configuration: loadConfig
// with every user in one group, plus permissions granted to users.
type replicaLoad struct{ users, groups, permissions int }

func (l replicaLoad) resources() int { return 2*l.users + l.groups + l.permissions }

// config keeps every object of a smaller size at the same address with the
// same arguments, so growing from one size to a larger one only adds.
func (l replicaLoad) config() string {
	return loadConfig(l.users, l.groups, l.users) + fmt.Sprintf(`
resource "identity_permission" "p" {
  count     = %d
  operation = "VIEW_PROJECT"
  scope     = "project:replica-${count.index}"
  user_id   = identity_user.u[count.index].id
}
`, l.permissions)
}

// TestReplicas_LoadApplyThroughRoundRobin runs three identity-server
// processes on one PostgreSQL database behind a round-robin proxy and drives
// them with Terraform:
//
//  1. the three start at the same moment on an empty database;
//  2. a load apply at -parallelism=50 converges with exactly the configured
//     users, groups, memberships and permissions, every replica served part
//     of it, and the next plan is empty;
//  3. one replica is SIGKILLed in the middle of a second apply that adds
//     objects: whatever that apply did, every object in the state and every
//     user committed before the kill is on the server, re-applying through
//     the two left converges (adopting, as the provider advises, any object
//     whose create committed but whose answer the kill swallowed), and the
//     next plan is empty;
//  4. the killed replica restarted on the database serves what the others
//     wrote; wrong passwords spread over the three lock the account on each,
//     and a token revoked through one is refused by the others at once.
func TestReplicas_LoadApplyThroughRoundRobin(t *testing.T) {
	f := newTF(t)
	dsn := testserver.PostgresURL(t)
	first, second := replicaLoad{250, 25, 100}, replicaLoad{400, 25, 175}
	if soak() {
		first, second = replicaLoad{1000, 50, 500}, replicaLoad{1500, 50, 750}
	}

	const password = "replica-superuser-password"
	bin := binary(t, "./testserver/cmd/identity-server", "identity-server")
	replicas := make([]*serverProc, 3)
	for i := range replicas {
		replicas[i] = &serverProc{t: t, bin: bin, addr: freeAddr(t), db: dsn, pw: password, logs: &lockedBuffer{}}
	}
	for _, p := range replicas {
		p.launch()
	}
	t.Cleanup(func() {
		for _, p := range replicas {
			select {
			case <-p.exited:
			default:
				_ = p.cmd.Process.Kill()
				<-p.exited
			}
		}
	})
	for _, p := range replicas {
		p.await()
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if n, last := dbCount(t, db, `SELECT count(*) FROM schema_migrations`), dbCount(t, db, `SELECT max(version) FROM schema_migrations`); n != last {
		t.Fatalf("%d migrations recorded for versions up to %d: one ran twice", n, last)
	}
	basePermissions := dbCount(t, db, `SELECT count(*) FROM permissions`)

	lb := newRoundRobin(t, replicas)
	provider := fmt.Sprintf("provider \"identity\" {\n  endpoint = %q\n  username = \"system\"\n  password = %q\n}\n", lb.URL, password)
	apply := []string{"apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=50"}

	// The load, round robin over three replicas.
	f.write(provider + first.config())
	start := time.Now()
	f.must(10*time.Minute, apply...)
	firstApply := time.Since(start)
	checkReplicaLoad(t, db, first, basePermissions)
	served := lb.served()
	for i, n := range served {
		if n == 0 {
			t.Errorf("replica %d served none of the first apply's %d requests", i, lb.received.Load())
		}
	}
	start = time.Now()
	if empty, out := f.planIsEmpty(5 * time.Minute); !empty {
		t.Fatalf("plan after the first apply is not empty:\n%s", tail(out, 4000))
	}
	firstPlan := time.Since(start)
	t.Logf("first apply: %d resources in %s (plan %s); requests per replica %v, %d failed at the proxy",
		first.resources(), firstApply.Round(time.Millisecond), firstPlan.Round(time.Millisecond), lb.served(), lb.failed.Load())

	// The second apply adds objects; one replica dies a third of the way
	// through its creates.
	const victim = 1
	added := (second.users-first.users)*2 + second.groups - first.groups + second.permissions - first.permissions
	killAt := int64(added / 3)
	var writes atomic.Int64
	killNow := make(chan struct{})
	var once sync.Once
	lb.onRequest.Store(func(r *http.Request) {
		if r.Method != http.MethodGet && writes.Add(1) == killAt {
			once.Do(func() { close(killNow) })
		}
	})
	f.write(provider + second.config())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd, stdout, stderr := f.cmd(ctx, apply...)
	start = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	applyDone := make(chan error, 1)
	go func() { applyDone <- cmd.Wait() }()
	var committed []string
	var inflight int64
	select {
	case <-killNow:
		// Kill while the victim is working on requests, when it is (it takes
		// a third of the requests, and 50 are in flight at the most).
		for deadline := time.Now().Add(5 * time.Second); lb.inflight[victim].Load() == 0 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		inflight = lb.inflight[victim].Load()
		replicas[victim].kill()
		committed = ids(t, db, `SELECT id FROM users`)
	case err := <-applyDone:
		t.Fatalf("the second apply ended after %d writes, before the kill at %d: %v\n%s", writes.Load(), killAt, err, tail(stdout.String()+stderr.String(), 3000))
	}
	killedAt := lb.served()
	applyErr := <-applyDone
	interrupted := time.Since(start)
	t.Logf("replica %d SIGKILLed after %d writes of the second apply with %d requests in flight on it (%d users committed); the apply ended after %s with: %v %v",
		victim, killAt, inflight, len(committed), interrupted.Round(time.Millisecond), applyErr, errorSummaries(stderr.String()))

	// Nothing committed is lost.
	for typ, list := range stateIDs(t, filepath.Join(f.dir, "terraform.tfstate")) {
		q := map[string]string{
			"identity_user":             `SELECT count(*) FROM users WHERE id = $1`,
			"identity_group":            `SELECT count(*) FROM groups_ WHERE id = $1`,
			"identity_group_membership": `SELECT count(*) FROM memberships WHERE group_id || '/' || user_id = $1`,
			"identity_permission":       `SELECT count(*) FROM permissions WHERE id = $1`,
		}[typ]
		if q == "" {
			t.Fatalf("unexpected resource type %s in state", typ)
		}
		for _, id := range list {
			if dbCount(t, db, q, id) != 1 {
				t.Errorf("%s %s is in state but not on the server", typ, id)
			}
		}
	}

	// A create whose answer the kill swallowed is on the server but not in
	// state. Whether this kill left one is up to timing, so make sure of one:
	// create a user of the configuration as a lost answer leaves it.
	orphan := ""
	for i := second.users - 1; i >= 0 && orphan == ""; i-- {
		if name := fmt.Sprintf("load-%d", i); dbCount(t, db, `SELECT count(*) FROM users WHERE username = $1`, name) == 0 {
			orphan = name
		}
	}
	if orphan != "" {
		c, err := clientNew("http://"+replicas[0].addr, "system", password)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreateUser(ctxFor(t, time.Minute), clientUser(orphan)); err != nil {
			t.Fatal(err)
		}
	}

	// Re-apply through the two replicas left.
	start = time.Now()
	runs, imports := reapply(t, f, apply)
	recovered := time.Since(start)
	if orphan != "" && imports == 0 {
		t.Errorf("user %s existed outside state, yet no re-apply reported it", orphan)
	}
	if empty, out := f.planIsEmpty(5 * time.Minute); !empty {
		t.Fatalf("plan after recovery is not empty:\n%s", tail(out, 4000))
	}
	checkReplicaLoad(t, db, second, basePermissions)
	for _, id := range committed {
		if dbCount(t, db, `SELECT count(*) FROM users WHERE id = $1`, id) != 1 {
			t.Errorf("user %s, committed before the kill, is gone", id)
		}
	}
	final := lb.served()
	if final[victim] != killedAt[victim] {
		t.Errorf("the killed replica is counted %d more requests", final[victim]-killedAt[victim])
	}
	for i, n := range final {
		if i != victim && n == killedAt[i] {
			t.Errorf("replica %d served none of the requests after the kill", i)
		}
	}
	t.Logf("second apply: %d resources; recovered in %s with %d failed re-apply run(s) and %d import(s) (user %q created outside state); requests per replica %v (at the kill %v), %d failed at the proxy, %d received in all",
		second.resources(), recovered.Round(time.Millisecond), runs, imports, orphan, final, killedAt, lb.failed.Load(), lb.received.Load())

	// The killed replica comes back and acts as one with the others.
	replicas[victim].start()
	urls := make([]string, len(replicas))
	for i, p := range replicas {
		urls[i] = "http://" + p.addr
	}
	back, err := clientNew(urls[victim], "system", password)
	if err != nil {
		t.Fatal(err)
	}
	if users, err := back.ListUsers(ctxFor(t, time.Minute), client.UserFilter{}); err != nil || len(users) != second.users+1 {
		t.Errorf("the restarted replica lists %d users (%v), want %d and the system user", len(users), err, second.users)
	}
	checkReplicasActAsOne(t, urls, password)
}

// checkReplicasActAsOne checks, directly against each replica, that failed
// logins count on all of them and that a token minted through the first and
// revoked through the last is refused by all.
func checkReplicasActAsOne(t *testing.T, urls []string, password string) {
	t.Helper()
	revokeAt := len(urls) - 1
	root, err := clientNew(urls[0], "system", password)
	if err != nil {
		t.Fatal(err)
	}
	u := clientUser("replica-lockout")
	u.Password = "replica-lockout-password"
	if _, err := root.CreateUser(ctxFor(t, time.Minute), u); err != nil {
		t.Fatal(err)
	}
	// The password is right: what refuses it later is the lockout.
	owner, err := clientNew(urls[len(urls)-1], u.Username, u.Password)
	if err != nil {
		t.Fatal(err)
	}
	if me, err := owner.Me(ctxFor(t, time.Minute)); err != nil || me.User == nil || me.User.Username != u.Username {
		t.Fatalf("the new user's own login: %+v %v", me, err)
	}
	for i := range 5 {
		if err := apiLogin(t, urls[i%len(urls)], u.Username, "a-wrong-password"); !errors.Is(err, client.ErrUnauthorized) {
			t.Fatalf("wrong password %d on replica %d: %v, want unauthorized", i+1, i%len(urls), err)
		}
	}
	for i, url := range urls {
		if err := apiLogin(t, url, u.Username, u.Password); !errors.Is(err, client.ErrRateLimited) {
			t.Errorf("replica %d after 5 wrong passwords spread over the replicas: %v, want the lockout", i, err)
		}
	}

	tok, err := root.CreateToken(ctxFor(t, time.Minute), client.TokenCreate{Role: "guest"})
	if err != nil {
		t.Fatal(err)
	}
	for i, url := range urls {
		if _, err := apiClient(t, url, tok.Secret).Me(ctxFor(t, time.Minute)); err != nil {
			t.Fatalf("replica %d refuses a new token: %v", i, err)
		}
	}
	other, err := clientNew(urls[revokeAt], "system", password)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.DeleteToken(ctxFor(t, time.Minute), tok.ID); err != nil {
		t.Fatal(err)
	}
	for i, url := range urls {
		if _, err := apiClient(t, url, tok.Secret).Me(ctxFor(t, time.Minute)); !errors.Is(err, client.ErrUnauthorized) {
			t.Errorf("replica %d after the token was revoked through replica %d: %v, want unauthorized", i, revokeAt, err)
		}
	}
}

// checkReplicaLoad checks that the database holds exactly the objects of l.
// Usernames and group names compare without regard to case on PostgreSQL,
// where LIKE does not apply; the configuration's objects are the only users
// besides the system user and the only groups.
func checkReplicaLoad(t *testing.T, db *sql.DB, l replicaLoad, basePermissions int) {
	t.Helper()
	for q, want := range map[string]int{
		`SELECT count(*) FROM users WHERE is_system = 0`: l.users,
		`SELECT count(*) FROM groups_`:                   l.groups,
		`SELECT count(*) FROM memberships`:               l.users,
		`SELECT count(*) FROM permissions`:               basePermissions + l.permissions,
		`SELECT count(*) FROM permissions WHERE scope LIKE 'project:replica-%' AND user_id IS NOT NULL`: l.permissions,
		`SELECT count(DISTINCT user_id) FROM memberships`:                                               l.users,
	} {
		if got := dbCount(t, db, q); got != want {
			t.Errorf("%s: %d, want %d", q, got, want)
		}
	}
}

func ids(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// errorSummaries counts Terraform's error diagnostics by summary.
func errorSummaries(out string) map[string]int {
	n := map[string]int{}
	for _, line := range strings.Split(out, "\n") {
		if s, ok := strings.CutPrefix(strings.TrimSpace(line), "Error: "); ok {
			n[s]++
		}
	}
	return n
}

var (
	diagAddress = regexp.MustCompile(`with (identity_[a-z_]+\.[a-z_]+(?:\[\d+\])?),`)
	importAdv   = regexp.MustCompile(`terraform import '?identity_[a-z_]+\.<name>(?:\[<index>\])?'? '([^'\s]+)'`)
)

// reapply runs apply until it succeeds, at most five times. An apply that
// fails only because objects already exist on the server (their create
// committed, its answer was lost) is followed by the import the provider
// advises, at the address Terraform names; any other failure fails the test.
// It returns the failed runs and the imports made.
func reapply(t *testing.T, f *tf, apply []string) (runs, imports int) {
	t.Helper()
	for ; runs < 5; runs++ {
		out, errOut, err := f.run(10*time.Minute, apply...)
		if err == nil {
			return runs, imports
		}
		all := out + errOut
		blocks := strings.Split(all, "Error: ")[1:]
		for _, b := range blocks {
			addr, adv := diagAddress.FindStringSubmatch(b), importAdv.FindStringSubmatch(b)
			if addr == nil || adv == nil {
				t.Fatalf("re-apply %d failed, and not on an object that already exists:\n%s", runs+1, tail(all, 3000))
			}
			f.must(2*time.Minute, "import", "-input=false", "-no-color", addr[1], adv[1])
			imports++
		}
		if len(blocks) == 0 {
			t.Fatalf("re-apply %d failed without a diagnostic: %v\n%s", runs+1, err, tail(all, 3000))
		}
	}
	t.Fatal("no convergence after 5 re-applies")
	return runs, imports
}

// roundRobin is a load balancer in front of replicas: each request goes to
// the next replica in turn; a replica that refuses a connection is taken out
// of the rotation (a failed health check) and the request goes to the next.
// A request whose connection broke after it was sent is answered 502, as the
// replica may have applied it.
type roundRobin struct {
	*httptest.Server
	backends  []string
	dead      []atomic.Bool
	count     []atomic.Int64 // requests answered
	inflight  []atomic.Int64 // requests sent and not yet answered
	next      atomic.Int64
	received  atomic.Int64
	failed    atomic.Int64
	onRequest atomic.Value // func(*http.Request), called as each request arrives
	transport *http.Transport
}

func newRoundRobin(t *testing.T, replicas []*serverProc) *roundRobin {
	t.Helper()
	lb := &roundRobin{dead: make([]atomic.Bool, len(replicas)), count: make([]atomic.Int64, len(replicas)),
		inflight:  make([]atomic.Int64, len(replicas)),
		transport: &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}}
	for _, p := range replicas {
		lb.backends = append(lb.backends, p.addr)
	}
	proxy := &httputil.ReverseProxy{
		Rewrite:   func(r *httputil.ProxyRequest) { r.Out.URL.Scheme, r.Out.URL.Host = "http", "replica" },
		Transport: lb,
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			lb.failed.Add(1)
			http.Error(w, err.Error(), http.StatusBadGateway)
		},
	}
	lb.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lb.received.Add(1)
		if fn, ok := lb.onRequest.Load().(func(*http.Request)); ok {
			fn(r)
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(lb.Close)
	t.Cleanup(lb.transport.CloseIdleConnections)
	return lb
}

// RoundTrip sends the request to the next live replica.
func (lb *roundRobin) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	for range lb.backends {
		i, ok := lb.pick()
		if !ok {
			break
		}
		out := req.Clone(req.Context())
		out.URL.Host, out.Host = lb.backends[i], lb.backends[i]
		out.Body, out.GetBody = http.NoBody, nil
		if body != nil {
			out.Body = io.NopCloser(bytes.NewReader(body))
			out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		}
		lb.inflight[i].Add(1)
		res, err := lb.transport.RoundTrip(out)
		lb.inflight[i].Add(-1)
		if op := (*net.OpError)(nil); errors.As(err, &op) && op.Op == "dial" {
			lb.dead[i].Store(true)
			continue
		}
		if err == nil {
			lb.count[i].Add(1)
		}
		return res, err
	}
	return nil, errors.New("no live replica")
}

// pick returns the next replica in the rotation that is not dead.
func (lb *roundRobin) pick() (int, bool) {
	for range lb.backends {
		i := int(lb.next.Add(1)-1) % len(lb.backends)
		if !lb.dead[i].Load() {
			return i, true
		}
	}
	return 0, false
}

// served returns how many requests each replica has answered.
func (lb *roundRobin) served() []int64 {
	out := make([]int64, len(lb.count))
	for i := range lb.count {
		out[i] = lb.count[i].Load()
	}
	return out
}
