package testserver_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/seed/terraform-provider-identity/testserver"
	"github.com/seed/terraform-provider-identity/testserver/internal/store"
	_ "modernc.org/sqlite"
)

// resp is a decoded HTTP response.
type resp struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (r resp) str(key string) string {
	v, _ := r.body[key].(string)
	return v
}

func (r resp) userIDs() []any {
	v, _ := r.body["user_ids"].([]any)
	return v
}

func (r resp) obj(key string) map[string]any {
	v, _ := r.body[key].(map[string]any)
	return v
}

func (r resp) items() []map[string]any {
	raw, _ := r.body["items"].([]any)
	out := make([]map[string]any, len(raw))
	for i, v := range raw {
		out[i], _ = v.(map[string]any)
	}
	return out
}

func (r resp) fieldErr(field string) string {
	errs, _ := r.body["errors"].(map[string]any)
	s, _ := errs[field].(string)
	return s
}

// api is a caller with one credential.
type api struct {
	t      *testing.T
	s      *testserver.Server
	token  string
	apiKey bool // send the token as X-API-Key instead of Authorization
}

func as(t *testing.T, s *testserver.Server, token string) api { return api{t: t, s: s, token: token} }

func (a api) do(method, path string, body any, headers ...string) resp {
	a.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, a.s.URL+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token != "" {
		if a.apiKey {
			req.Header.Set("X-API-Key", a.token)
		} else {
			req.Header.Set("Authorization", "Bearer "+a.token)
		}
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	hr, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer hr.Body.Close()
	raw, err := io.ReadAll(hr.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	r := resp{status: hr.StatusCode, header: hr.Header, raw: raw, body: map[string]any{}}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			a.t.Fatalf("%s %s: %d, body is not a JSON object: %s", method, path, hr.StatusCode, raw)
		}
	}
	if hr.StatusCode >= 500 {
		a.t.Fatalf("%s %s: server error %d: %s", method, path, hr.StatusCode, raw)
	}
	return r
}

// must calls and fails the test unless the status matches.
func (a api) must(status int, method, path string, body any, headers ...string) resp {
	a.t.Helper()
	r := a.do(method, path, body, headers...)
	if r.status != status {
		a.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, status, r.raw)
	}
	if status >= 400 {
		if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
			a.t.Fatalf("%s %s: error content type %q", method, path, ct)
		}
	}
	return r
}

// login returns a session token for username.
func login(t *testing.T, s *testserver.Server, username, password string) string {
	t.Helper()
	r := as(t, s, "").must(200, "POST", "/api/v1/login", map[string]string{"username": username, "password": password})
	return r.str("token")
}

// mkUser creates a user with a password and returns its id and a session token.
func mkUser(t *testing.T, s *testserver.Server, username, role string) (string, string) {
	t.Helper()
	r := as(t, s, s.Token).must(201, "POST", "/api/v1/users", map[string]any{
		"username": username, "email": username + "@example.com", "role": role, "password": "password-" + username,
	})
	return r.str("id"), login(t, s, username, "password-"+username)
}

// db opens the server's database for checking stored effects. The
// store's SQL (with '?' placeholders) reads either backend.
func db(t *testing.T, s *testserver.Server) *sql.DB {
	t.Helper()
	if store.IsPostgresURL(s.DBPath) {
		return pgDB(t, s)
	}
	d, err := sql.Open("sqlite", "file:"+s.DBPath+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// onPostgres reports whether the server runs on PostgreSQL.
func onPostgres(s *testserver.Server) bool { return store.IsPostgresURL(s.DBPath) }

var (
	pgMu  sync.Mutex
	pgDBs = map[*testserver.Server]*sql.DB{}
)

// pgDB is one pool per server on PostgreSQL, opened like the server's own
// so that it takes the store's SQL, and closed when the test ends.
func pgDB(t *testing.T, s *testserver.Server) *sql.DB {
	pgMu.Lock()
	defer pgMu.Unlock()
	if d, ok := pgDBs[s]; ok {
		return d
	}
	d, err := testserver.OpenDatabase(context.Background(), s.DBPath)
	if err != nil {
		t.Fatal(err)
	}
	pgDBs[s] = d.Reader
	t.Cleanup(func() {
		pgMu.Lock()
		delete(pgDBs, s)
		pgMu.Unlock()
		_ = d.Close()
	})
	return d.Reader
}

func count(t *testing.T, s *testserver.Server, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db(t, s).QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func scalar(t *testing.T, s *testserver.Server, query string, args ...any) string {
	t.Helper()
	var v any
	if err := db(t, s).QueryRow(query, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return fmt.Sprint(v)
}

// lastAudit returns the newest audit row for an action.
func lastAudit(t *testing.T, s *testserver.Server, action string) (outcome string, status int, detail string) {
	t.Helper()
	err := db(t, s).QueryRow(`SELECT outcome, status, detail FROM audit WHERE action = ? ORDER BY id DESC LIMIT 1`, action).Scan(&outcome, &status, &detail)
	if err != nil {
		t.Fatalf("no audit row for %s: %v", action, err)
	}
	return outcome, status, detail
}
