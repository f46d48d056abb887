package testserver_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"strings"
	"sync"
	"testing"

	"github.com/seed/terraform-provider-identity/testserver"
	"github.com/seed/terraform-provider-identity/testserver/internal/pgtest"
)

// These tests are about PostgreSQL itself (replicas, a lost database); they
// run in the PostgreSQL pass of the suite (IDENTITY_TEST_BACKEND=postgres).
func needPostgres(t *testing.T) string {
	t.Helper()
	if !pgtest.Enabled() {
		t.Skip("a PostgreSQL test: runs with IDENTITY_TEST_BACKEND=postgres (make test runs it)")
	}
	return pgtest.URL(t)
}

// replicas starts n servers on one PostgreSQL database at the same moment,
// as replicas behind a load balancer are: one signing key, one superuser
// password.
func replicas(t *testing.T, url string, n int) []*testserver.Server {
	t.Helper()
	key := strings.Repeat("k", 40)
	servers := make([]*testserver.Server, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range servers {
		wg.Go(func() {
			servers[i], errs[i] = testserver.New(testserver.Options{DBPath: url, SuperuserPassword: "replica-password",
				SigningKey: key, PasswordCost: "low"})
		})
	}
	wg.Wait()
	for i, s := range servers {
		if s != nil {
			t.Cleanup(func() { _ = s.Close() })
		}
		if errs[i] != nil {
			t.Fatalf("replica %d: %v", i, errs[i])
		}
	}
	return servers
}

// Three replicas started together on an empty database migrate it once and
// all serve; a user created through one is seen by the others, and a token
// revoked through one is refused by the others at once.
func TestPostgres_ReplicasActAsOne(t *testing.T) {
	t.Parallel()
	url := needPostgres(t)
	rs := replicas(t, url, 3)
	s0, s1, s2 := rs[0], rs[1], rs[2]
	if n, embedded := count(t, s0, `SELECT count(*) FROM schema_migrations`), count(t, s0, `SELECT max(version) FROM schema_migrations`); n != embedded {
		t.Fatalf("%d migrations recorded for versions up to %d: one ran twice", n, embedded)
	}
	root0 := as(t, s0, s0.Token)
	id := root0.must(201, "POST", "/api/v1/users", map[string]any{"username": "Rita", "email": "rita@example.com", "role": "operator", "password": "password-rita"}).str("id")
	if r := as(t, s1, s1.Token).must(200, "GET", "/api/v1/users/"+id, nil); r.str("username") != "Rita" {
		t.Fatalf("replica 1 reads %s", r.raw)
	}
	// Uniqueness is case-insensitive across replicas too.
	as(t, s2, s2.Token).must(409, "POST", "/api/v1/users", map[string]any{"username": "rITA", "email": "other@example.com", "role": "guest"})

	session := login(t, s1, "rita", "password-rita")
	tok := as(t, s1, s1.Token).must(201, "POST", "/api/v1/tokens", map[string]any{"role": "guest"})
	for _, s := range rs {
		as(t, s, tok.str("token")).must(200, "GET", "/api/v1/me", nil)
		as(t, s, session).must(200, "GET", "/api/v1/me", nil)
	}
	as(t, s2, s2.Token).must(204, "DELETE", "/api/v1/tokens/"+tok.str("id"), nil)
	as(t, s0, session).must(204, "POST", "/api/v1/logout", nil)
	for i, s := range rs {
		if r := as(t, s, tok.str("token")).do("GET", "/api/v1/me", nil); r.status != 401 {
			t.Errorf("replica %d accepts the revoked token: %d", i, r.status)
		}
		if r := as(t, s, session).do("GET", "/api/v1/me", nil); r.status != 401 {
			t.Errorf("replica %d accepts the ended session: %d", i, r.status)
		}
	}
}

// A server whose database goes away says so: /healthz and API requests are
// 503 with Retry-After, never a 500; once the database is back both serve.
func TestPostgres_LostDatabase(t *testing.T) {
	t.Parallel()
	u, err := neturl.Parse(needPostgres(t))
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, u.Host)
	u.Host = p.addr()
	s := testserver.Start(t, testserver.Options{DBPath: u.String()})
	root := as(t, s, s.Token)
	root.must(200, "GET", "/healthz", nil)

	p.cut()
	for _, path := range []string{"/healthz", "/api/v1/users", "/api/v1/me"} {
		status, header, body := rawGet(t, s.URL+path, s.Token)
		if status != http.StatusServiceUnavailable || header.Get("Retry-After") == "" {
			t.Errorf("%s without a database: %d, Retry-After %q: %s", path, status, header.Get("Retry-After"), body)
		}
	}
	p.restore()
	root.must(200, "GET", "/healthz", nil)
	root.must(200, "GET", "/api/v1/users", nil)
}

func rawGet(t *testing.T, url, token string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

// proxy forwards TCP connections to target until cut, which closes every
// connection and refuses new ones until restore: a database gone away.
type proxy struct {
	target string
	ln     net.Listener
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]struct{}
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{target: target, ln: ln, conns: map[net.Conn]struct{}{}}
	t.Cleanup(func() { _ = ln.Close(); p.cut() })
	go p.serve()
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		} else if err != nil {
			continue
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		p.conns[c], p.conns[up] = struct{}{}, struct{}{}
		p.mu.Unlock()
		go func() { _, _ = io.Copy(up, c); _ = up.Close() }()
		go func() { _, _ = io.Copy(c, up); _ = c.Close() }()
	}
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		_ = c.Close()
	}
	clear(p.conns)
}

func (p *proxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}

// Failed logins count on every replica: wrong passwords spread over three
// replicas lock the account as many on one would, and the lockout answers
// on each of them.
func TestPostgres_LoginThrottleSharedByReplicas(t *testing.T) {
	t.Parallel()
	rs := replicas(t, needPostgres(t), 3)
	as(t, rs[0], rs[0].Token).must(201, "POST", "/api/v1/users", map[string]any{"username": "vic", "email": "vic@example.com", "password": "password-vic"})
	for i := range 5 {
		as(t, rs[i%3], "").must(401, "POST", "/api/v1/login", map[string]string{"username": "vic", "password": "wrong-password"})
	}
	for i, s := range rs {
		r := as(t, s, "").must(429, "POST", "/api/v1/login", map[string]string{"username": "vic", "password": "password-vic"})
		if r.header.Get("Retry-After") == "" {
			t.Errorf("replica %d: 429 without Retry-After", i)
		}
	}
}

// The self-registration limit is counted in the database on PostgreSQL, so
// an address's attempts spread over two replicas hit it together; and it
// keeps its own counters, apart from the failed logins from that address.
func TestPostgres_RegistrationLimitSharedByReplicas(t *testing.T) {
	t.Parallel()
	rs := replicas(t, needPostgres(t), 2)
	as(t, rs[0], rs[0].Token).must(200, "PATCH", "/api/v1/settings", map[string]any{"self_registration": true})
	// Failed logins from the same address, which must not count as registrations.
	for i := range 6 {
		as(t, rs[i%2], "").must(401, "POST", "/api/v1/login", map[string]string{"username": fmt.Sprintf("ghost%d", i%3), "password": "wrong password"})
	}
	for i := range 10 { // the limit: 10 an hour per address
		as(t, rs[i%2], "").must(400, "POST", "/api/v1/register", map[string]any{"username": "u", "email": "bad", "password": "p"})
	}
	for i, s := range rs {
		r := as(t, s, "").must(429, "POST", "/api/v1/register", map[string]any{"username": "late", "email": "late@example.com", "password": "a good password"})
		if r.header.Get("Retry-After") == "" || !strings.Contains(r.str("detail"), "too many registrations from this address") {
			t.Fatalf("replica %d: %v %s", i, r.header, r.raw)
		}
	}
	if n := count(t, rs[0], `SELECT count(*) FROM users WHERE username = 'late'`); n != 0 {
		t.Fatal("throttled registration created a user")
	}
	// And registrations do not count as failed logins.
	login(t, rs[1], "system", "replica-password")
}
