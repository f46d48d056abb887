package testserver_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/seed/terraform-provider-identity/testserver"
)

// TestBadInput_ProblemForEveryMalformedRequest sends malformed requests of
// every kind to every endpoint that takes input. Each must get the 4xx this
// table expects (never a 500), as a problem document whose status matches,
// naming the offending field where there is one; and none may change the
// database.
func TestBadInput_ProblemForEveryMalformedRequest(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	sys := as(t, s, s.Token)
	uid := sys.must(201, "POST", "/api/v1/users", map[string]any{"username": "victim", "email": "victim@example.com"}).str("id")
	gid := sys.must(201, "POST", "/api/v1/groups", map[string]any{"name": "Victims"}).str("id")
	sys.must(201, "POST", "/api/v1/roles", map[string]any{"name": "custom", "level": 500})

	mib := strings.Repeat("a", 1<<20)
	user := func(kv ...any) map[string]any {
		m := map[string]any{"username": "newbie", "email": "newbie@example.com"}
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			m[k] = kv[i+1]
		}
		return m
	}
	perm := func(kv ...any) map[string]any {
		m := map[string]any{"operation": "VIEW_PROJECT", "scope": "project:web"}
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			m[k] = kv[i+1]
		}
		return m
	}
	manyIDs := make([]string, 100_001)
	for i := range manyIDs {
		manyIDs[i] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
	}
	type tc struct {
		name, method, path string
		body               any
		status             int
		field              string   // the key expected in "errors", when one field is at fault
		headers            []string // header name/value pairs
		noAuth             bool
	}
	cases := []tc{
		// Bodies that are not one JSON object.
		{"empty body", "POST", "/api/v1/users", "", 400, "", nil, false},
		{"truncated JSON", "POST", "/api/v1/users", `{"username":`, 400, "", nil, false},
		{"JSON array", "POST", "/api/v1/users", `[]`, 400, "", nil, false},
		{"JSON null", "POST", "/api/v1/groups", `null`, 400, "", nil, false},
		{"JSON string", "POST", "/api/v1/roles", `"role"`, 400, "", nil, false},
		{"two objects", "POST", "/api/v1/groups", `{"name":"A"}{"name":"B"}`, 400, "", nil, false},
		{"trailing garbage", "POST", "/api/v1/groups", `{"name":"A"} x`, 400, "", nil, false},
		{"NUL byte", "POST", "/api/v1/groups", "\x00", 400, "", nil, false},
		{"invalid UTF-8 in JSON", "POST", "/api/v1/groups", "{\"name\":\"\xff\xfe\"}", 400, "name", nil, false},
		{"deeply nested", "POST", "/api/v1/groups", strings.Repeat("[", 100_000), 400, "", nil, false},
		{"body over 1 MiB", "POST", "/api/v1/groups", `{"name":"` + mib + `"}`, 400, "", nil, false},
		{"unknown field", "POST", "/api/v1/users", user("is_admin", true), 400, "is_admin", nil, false},
		{"wrong type", "POST", "/api/v1/users", user("disabled", "yes"), 400, "disabled", nil, false},
		{"attributes not a map", "POST", "/api/v1/users", user("attributes", []string{"a"}), 400, "attributes", nil, false},
		// Users.
		{"empty username", "POST", "/api/v1/users", user("username", ""), 400, "username", nil, false},
		{"SQL in username", "POST", "/api/v1/users", user("username", "x'; DROP TABLE users;--"), 400, "username", nil, false},
		{"emoji username", "POST", "/api/v1/users", user("username", "rocket🚀"), 400, "username", nil, false},
		{"65-character username", "POST", "/api/v1/users", user("username", strings.Repeat("u", 65)), 400, "username", nil, false},
		{"1 MiB username", "POST", "/api/v1/users", user("username", mib[:1<<20-100]), 400, "username", nil, false},
		{"email without at", "POST", "/api/v1/users", user("email", "newbie.example.com"), 400, "email", nil, false},
		{"email with display name", "POST", "/api/v1/users", user("email", "Newbie <newbie@example.com>"), 400, "email", nil, false},
		{"email without domain dot", "POST", "/api/v1/users", user("email", "newbie@localhost"), 400, "email", nil, false},
		{"email with newline", "POST", "/api/v1/users", user("email", "newbie@example.com\nBcc: x@example.com"), 400, "email", nil, false},
		{"email 255 characters", "POST", "/api/v1/users", user("email", strings.Repeat("e", 243)+"@example.com"), 400, "email", nil, false},
		{"control character in name", "POST", "/api/v1/users", user("first_name", "Bob\x1b[31m"), 400, "first_name", nil, false},
		{"129-character last name", "POST", "/api/v1/users", user("last_name", strings.Repeat("l", 129)), 400, "last_name", nil, false},
		{"unknown role", "POST", "/api/v1/users", user("role", "root"), 400, "role", nil, false},
		{"role with SQL", "POST", "/api/v1/users", user("role", "guest' OR '1'='1"), 400, "role", nil, false},
		{"password too short", "POST", "/api/v1/users", user("password", "short"), 400, "password", nil, false},
		{"password 129 characters", "POST", "/api/v1/users", user("password", strings.Repeat("p", 129)), 400, "password", nil, false},
		{"bad attribute key", "POST", "/api/v1/users", user("attributes", map[string]string{"1bad key": "v"}), 400, "attributes.1bad key", nil, false},
		{"control character in attribute", "POST", "/api/v1/users", user("attributes", map[string]string{"team": "a\x00b"}), 400, "attributes.team", nil, false},
		{"PATCH empty role", "PATCH", "/api/v1/users/" + uid, map[string]any{"role": ""}, 400, "role", nil, false},
		{"PATCH bad email", "PATCH", "/api/v1/users/" + uid, map[string]any{"email": "@"}, 400, "email", nil, false},
		{"PATCH username (immutable)", "PATCH", "/api/v1/users/" + uid, map[string]any{"username": "renamed"}, 400, "username", nil, false},
		{"PATCH unknown user", "PATCH", "/api/v1/users/00000000-0000-4000-8000-000000000000", map[string]any{"first_name": "X"}, 404, "", nil, false},
		{"user id not a UUID", "GET", "/api/v1/users/1%20OR%201=1", nil, 404, "", nil, false},
		{"password empty", "PUT", "/api/v1/users/" + uid + "/password", map[string]any{"new_password": ""}, 400, "new_password", nil, false},
		{"If-Match garbage", "PATCH", "/api/v1/users/" + uid, map[string]any{"first_name": "X"}, 412, "", []string{"If-Match", `"banana"`}, false},
		{"If-Match stale", "DELETE", "/api/v1/users/" + uid, nil, 412, "", []string{"If-Match", `"99"`}, false},
		// Roles.
		{"negative level", "POST", "/api/v1/roles", map[string]any{"name": "neg", "level": -1}, 400, "level", nil, false},
		{"level 1001", "POST", "/api/v1/roles", map[string]any{"name": "big", "level": 1001}, 400, "level", nil, false},
		{"level overflow", "POST", "/api/v1/roles", `{"name":"huge","level":1e400}`, 400, "", nil, false},
		{"level int64 overflow", "POST", "/api/v1/roles", `{"name":"huge","level":9223372036854775808}`, 400, "level", nil, false},
		{"fractional level", "POST", "/api/v1/roles", `{"name":"half","level":1.5}`, 400, "level", nil, false},
		{"level as string", "POST", "/api/v1/roles", `{"name":"str","level":"5"}`, 400, "level", nil, false},
		{"upper-case role name", "POST", "/api/v1/roles", map[string]any{"name": "Admin2", "level": 5}, 400, "name", nil, false},
		{"role name with slash", "POST", "/api/v1/roles", map[string]any{"name": "a/b", "level": 5}, 400, "name", nil, false},
		{"duplicate role", "POST", "/api/v1/roles", map[string]any{"name": "custom", "level": 500}, 409, "", nil, false},
		{"1 MiB description", "PATCH", "/api/v1/roles/custom", map[string]any{"description": mib[:1<<20-100]}, 400, "description", nil, false},
		{"unknown role PATCH", "PATCH", "/api/v1/roles/nope", map[string]any{"description": "x"}, 404, "", nil, false},
		// Groups.
		{"empty group name", "POST", "/api/v1/groups", map[string]any{"name": ""}, 400, "name", nil, false},
		{"colon in group name", "POST", "/api/v1/groups", map[string]any{"name": "a:b"}, 400, "name", nil, false},
		{"group name with leading space", "POST", "/api/v1/groups", map[string]any{"name": " lead"}, 400, "name", nil, false},
		{"group name with SQL", "POST", "/api/v1/groups", map[string]any{"name": "x'); DELETE FROM groups_;--"}, 400, "name", nil, false},
		{"duplicate group in other case", "POST", "/api/v1/groups", map[string]any{"name": "VICTIMS"}, 409, "", nil, false},
		{"member set not UUIDs", "PUT", "/api/v1/groups/" + gid + "/members", map[string]any{"user_ids": []string{"alice"}}, 400, "", nil, false},
		{"member set unknown ids", "PUT", "/api/v1/groups/" + gid + "/members", map[string]any{"user_ids": []string{"00000000-0000-4000-8000-000000000001"}}, 400, "", nil, false},
		{"member set null", "PUT", "/api/v1/groups/" + gid + "/members", `{"user_ids":null}`, 400, "user_ids", nil, false},
		{"member set over 100,000", "PUT", "/api/v1/groups/" + gid + "/members", map[string]any{"user_ids": manyIDs}, 400, "", nil, false},
		{"add member not a UUID", "PUT", "/api/v1/groups/" + gid + "/members/alice", nil, 404, "", nil, false},
		{"add unknown member", "PUT", "/api/v1/groups/" + gid + "/members/00000000-0000-4000-8000-000000000001", nil, 404, "", nil, false},
		{"remove non-member", "DELETE", "/api/v1/groups/" + gid + "/members/" + uid, nil, 404, "", nil, false},
		// Permissions.
		{"unknown operation", "POST", "/api/v1/permissions", perm("operation", "DROP_TABLE", "role", "guest"), 400, "operation", nil, false},
		{"lower-case operation", "POST", "/api/v1/permissions", perm("operation", "view_project", "role", "guest"), 400, "operation", nil, false},
		{"unknown scope kind", "POST", "/api/v1/permissions", perm("scope", "galaxy:far", "role", "guest"), 400, "scope", nil, false},
		{"scope without key", "POST", "/api/v1/permissions", perm("scope", "project:", "role", "guest"), 400, "scope", nil, false},
		{"scope key with SQL", "POST", "/api/v1/permissions", perm("scope", "project:' OR 1=1", "role", "guest"), 400, "scope", nil, false},
		{"operation on a wrong scope", "POST", "/api/v1/permissions", perm("operation", "SUPER_ADMIN", "role", "guest"), 400, "operation", nil, false},
		{"two principals", "POST", "/api/v1/permissions", perm("role", "guest", "user_id", uid), 400, "", nil, false},
		{"no principal", "POST", "/api/v1/permissions", perm(), 400, "", nil, false},
		{"unknown user principal", "POST", "/api/v1/permissions", perm("user_id", "00000000-0000-4000-8000-000000000001"), 400, "user_id", nil, false},
		{"principal not a UUID", "POST", "/api/v1/permissions", perm("group_id", "admins"), 400, "group_id", nil, false},
		{"unknown role principal", "POST", "/api/v1/permissions", perm("role", "nobody"), 400, "role", nil, false},
		// Tokens.
		{"token of unknown role", "POST", "/api/v1/tokens", map[string]any{"role": "nobody"}, 400, "role", nil, false},
		{"token expired", "POST", "/api/v1/tokens", map[string]any{"role": "guest", "expires_at": "2001-01-01T00:00:00Z"}, 400, "expires_at", nil, false},
		{"token expiry not a time", "POST", "/api/v1/tokens", map[string]any{"role": "guest", "expires_at": "tomorrow"}, 400, "expires_at", nil, false},
		{"token description control", "POST", "/api/v1/tokens", map[string]any{"role": "guest", "description": "a\x07b"}, 400, "description", nil, false},
		// Lists, paths, methods and credentials.
		{"limit zero", "GET", "/api/v1/users?limit=0", nil, 400, "limit", nil, false},
		{"limit 501", "GET", "/api/v1/users?limit=501", nil, 400, "limit", nil, false},
		{"limit not a number", "GET", "/api/v1/groups?limit=1%3BDROP", nil, 400, "limit", nil, false},
		{"semicolon in query", "GET", "/api/v1/groups?limit=1;DROP", nil, 400, "", nil, false},
		{"forged cursor", "GET", "/api/v1/users?cursor=" + url.QueryEscape("' OR 1=1"), nil, 400, "cursor", nil, false},
		{"unknown endpoint", "GET", "/api/v1/secrets", nil, 404, "", nil, false},
		{"path traversal", "GET", "/api/v1/users/..%2f..%2fetc%2fpasswd", nil, 404, "", nil, false},
		{"method not allowed", "DELETE", "/api/v1/users", nil, 405, "", nil, false},
		{"no credential", "POST", "/api/v1/groups", map[string]any{"name": "Anon"}, 401, "", nil, true},
		{"garbage credential", "POST", "/api/v1/groups", map[string]any{"name": "Anon"}, 401, "", []string{"Authorization", "Bearer ' OR 1=1 --"}, true},
		{"8 KiB credential", "GET", "/api/v1/me", nil, 401, "", []string{"Authorization", "Bearer " + strings.Repeat("x", 8192)}, true},
		{"basic auth", "GET", "/api/v1/me", nil, 401, "", []string{"Authorization", "Basic c3lzdGVtOnN5c3RlbQ=="}, true},
		{"JWT-shaped garbage", "GET", "/api/v1/me", nil, 401, "", []string{"X-API-Key", "a.b.c"}, true},
		{"login unknown field", "POST", "/api/v1/login", map[string]any{"username": "system", "password": "x", "otp": 1}, 400, "otp", nil, true},
		{"login empty", "POST", "/api/v1/login", map[string]any{}, 400, "username", nil, true},
	}
	tables := []string{"users", "groups_", "memberships", "roles", "permissions", "tokens"}
	before := map[string]int{}
	for _, tb := range tables {
		before[tb] = count(t, s, "SELECT count(*) FROM "+tb)
	}
	for _, c := range cases {
		caller := sys
		if c.noAuth {
			caller = as(t, s, "")
		}
		r := caller.do(c.method, c.path, c.body, c.headers...)
		switch {
		case r.status != c.status:
			t.Errorf("%s: %s %s: status %d, want %d: %.300s", c.name, c.method, c.path, r.status, c.status, r.raw)
			continue
		case r.header.Get("Content-Type") != "application/problem+json":
			t.Errorf("%s: content type %q", c.name, r.header.Get("Content-Type"))
		case r.body["status"] != float64(c.status) || r.str("type") == "" || r.str("title") == "":
			t.Errorf("%s: not a problem document for %d: %.300s", c.name, c.status, r.raw)
		}
		if c.field != "" && r.fieldErr(c.field) == "" {
			t.Errorf("%s: no error on field %q: %.300s", c.name, c.field, r.raw)
		}
		if c.status == http.StatusMethodNotAllowed && r.header.Get("Allow") == "" {
			t.Errorf("%s: 405 without Allow", c.name)
		}
	}
	for _, tb := range tables {
		if n := count(t, s, "SELECT count(*) FROM "+tb); n != before[tb] {
			t.Errorf("%s: %d rows after malformed requests, %d before", tb, n, before[tb])
		}
	}
	if !onPostgres(s) {
		if v := scalar(t, s, `PRAGMA integrity_check`); v != "ok" {
			t.Errorf("integrity_check: %s", v)
		}
	}
	t.Logf("%d malformed requests, each a 4xx problem document; no row changed", len(cases))
}

// TestBadInput_HostileButValidValues: values full of SQL metacharacters,
// quotes and emoji that the rules allow are stored and returned verbatim, and
// used as filters they match only themselves.
func TestBadInput_HostileButValidValues(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	sys := as(t, s, s.Token)
	sys.must(201, "POST", "/api/v1/users", map[string]any{"username": "plain", "email": "plain@example.com"})
	hostile := map[string]any{
		"username": "o.brien", "email": "o'brien+x'OR'1'='1@example.com",
		"first_name": "Robert'); DROP TABLE users;--", "last_name": "🚀 \"quoted\" \\ back",
		"organization": "%_wild%", "attributes": map[string]string{"q": `" OR 1=1 --`, "e": "💥"},
	}
	created := sys.must(201, "POST", "/api/v1/users", hostile)
	got := sys.must(200, "GET", "/api/v1/users/"+created.str("id"), nil)
	for _, k := range []string{"email", "first_name", "last_name", "organization"} {
		if got.str(k) != hostile[k] {
			t.Errorf("%s: stored %q, sent %q", k, got.str(k), hostile[k])
		}
	}
	if a := got.obj("attributes"); a["q"] != `" OR 1=1 --` || a["e"] != "💥" {
		t.Errorf("attributes: %v", a)
	}
	for _, q := range []string{
		"email=" + url.QueryEscape("' OR '1'='1"),
		"organization=" + url.QueryEscape("%"),
		"email_suffix=" + url.QueryEscape("%"),
		"username=" + url.QueryEscape("_lain"),
		"role=" + url.QueryEscape("guest' OR 1=1 --"),
	} {
		if n := len(sys.must(200, "GET", "/api/v1/users?"+q, nil).items()); n != 0 {
			t.Errorf("filter %s matched %d users, want 0", q, n)
		}
	}
	if n := len(sys.must(200, "GET", "/api/v1/users?organization="+url.QueryEscape("%_WILD%"), nil).items()); n != 1 {
		t.Errorf("organization filter on the literal value matched %d, want 1", n)
	}
	if n := count(t, s, `SELECT count(*) FROM users`); n != 3 {
		t.Errorf("%d users, want 3 (system, plain, o.brien)", n)
	}
}
