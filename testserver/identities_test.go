package testserver_test

import (
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/seed/terraform-provider-identity/testserver"
)

// identitiesFile fetches GET /api/v1/identities raw, with accept as the Accept header.
func identitiesFile(t *testing.T, s *testserver.Server, token, accept string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest("GET", s.URL+"/api/v1/identities", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	hr, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer hr.Body.Close()
	raw, err := io.ReadAll(hr.Body)
	if err != nil {
		t.Fatal(err)
	}
	return hr.StatusCode, hr.Header, string(raw)
}

// exportYAML returns the server's identities file as YAML.
func exportYAML(t *testing.T, s *testserver.Server) string {
	t.Helper()
	status, header, body := identitiesFile(t, s, s.Token, "")
	if status != 200 || header.Get("Content-Type") != "application/yaml" {
		t.Fatalf("GET /identities: %d %s: %s", status, header.Get("Content-Type"), body)
	}
	return body
}

var versionLine = regexp.MustCompile(`(?m)^version: (\d+)\n`)

// fileVersion returns the version of a YAML identities file.
func fileVersion(t *testing.T, file string) int {
	t.Helper()
	m := versionLine.FindStringSubmatch(file)
	if m == nil {
		t.Fatalf("no version line in:\n%s", file)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// withoutVersion drops the version line, for comparing two servers' files.
func withoutVersion(file string) string { return versionLine.ReplaceAllString(file, "") }

// changes returns the changes of a PUT's answer.
func changes(r resp) []map[string]any {
	raw, _ := r.body["changes"].([]any)
	out := make([]map[string]any, len(raw))
	for i, v := range raw {
		out[i], _ = v.(map[string]any)
	}
	return out
}

// version returns the version of a PUT's answer.
func version(r resp) int {
	v, _ := r.body["version"].(float64)
	return int(v)
}

// putFile uploads a YAML identities file.
func putFile(a api, status int, file string, query ...string) resp {
	a.t.Helper()
	path := "/api/v1/identities"
	if len(query) > 0 {
		path += "?" + query[0]
	}
	return a.must(status, "PUT", path, file, "Content-Type", "application/yaml")
}

// populate fills a server with every kind of thing the file holds, and with
// secrets it must not hold: passwords, sessions and a third-party token.
func populate(t *testing.T, s *testserver.Server) (secrets []string) {
	t.Helper()
	root := as(t, s, s.Token)
	root.must(201, "POST", "/api/v1/roles", map[string]any{"name": "ci", "level": 50, "description": "Pipelines.\nSecond line."})
	root.must(201, "POST", "/api/v1/roles", map[string]any{"name": "deployer", "level": 20})
	alice, aliceSession := mkUser(t, s, "alice", "ci")
	root.must(200, "PATCH", "/api/v1/users/"+alice, map[string]any{"first_name": "Alice", "last_name": "Liddell",
		"organization": "Acme", "attributes": map[string]string{"team": "ops", "cost_center": "42"}})
	bob, _ := mkUser(t, s, "Bob", "guest")
	root.must(200, "PATCH", "/api/v1/users/"+bob, map[string]any{"disabled": true})
	carol, _ := mkUser(t, s, "carol", "operator")
	ops := root.must(201, "POST", "/api/v1/groups", map[string]any{"name": "Ops", "organization": "Acme", "description": "Operations"}).str("id")
	platform := root.must(201, "POST", "/api/v1/groups", map[string]any{"name": "platform"}).str("id")
	root.must(200, "PUT", "/api/v1/groups/"+ops+"/members", map[string]any{"user_ids": []string{carol, alice, bob}})
	root.must(200, "PUT", "/api/v1/groups/"+platform+"/members", map[string]any{"user_ids": []string{s.SystemUserID, carol}})
	root.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": "project:web", "user_id": alice})
	root.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "DEPLOY_INVENTORY", "scope": "tenant:acme/inventory:prod", "group_id": ops})
	root.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "MODIFY_PROJECT", "scope": "global", "role": "ci"})
	root.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_INVENTORY", "scope": "tenant:acme", "role": "guest"})
	tok := root.must(201, "POST", "/api/v1/tokens", map[string]any{"role": "ci", "description": "pipeline"}).str("token")
	if tok == "" {
		t.Fatal("no token secret")
	}
	return []string{tok, aliceSession, s.Token, s.SuperuserPassword, "password-alice", "$argon2id$"}
}

// populatedFile is the file populate leaves, version aside.
const populatedFile = `roles:
  - name: ci
    level: 50
    description: |-
      Pipelines.
      Second line.
  - name: deployer
    level: 20
users:
  - username: alice
    email: alice@example.com
    first_name: Alice
    last_name: Liddell
    organization: Acme
    role: ci
    attributes:
      cost_center: "42"
      team: ops
  - username: Bob
    email: Bob@example.com
    role: guest
    disabled: true
  - username: carol
    email: carol@example.com
    role: operator
groups:
  - name: Ops
    organization: Acme
    description: Operations
    members:
      - alice
      - Bob
      - carol
  - name: platform
    members:
      - carol
      - system
grants:
  - operation: VIEW_PROJECT
    scope: project:web
    principal: user:alice
  - operation: DEPLOY_INVENTORY
    scope: tenant:acme/inventory:prod
    principal: group:Acme:Ops
  - operation: MODIFY_PROJECT
    scope: global
    principal: role:ci
  - operation: VIEW_INVENTORY
    scope: tenant:acme
    principal: role:guest
`

func TestIdentitiesExport(t *testing.T) {
	s := testserver.Start(t)
	secrets := populate(t, s)

	status, header, file := identitiesFile(t, s, s.Token, "application/yaml")
	if status != 200 || header.Get("Content-Type") != "application/yaml" {
		t.Fatalf("GET: %d %s", status, header.Get("Content-Type"))
	}
	v := fileVersion(t, file)
	if header.Get("ETag") != `"`+strconv.Itoa(v)+`"` {
		t.Errorf("ETag %s, version %d", header.Get("ETag"), v)
	}
	if got := withoutVersion(file); got != populatedFile {
		t.Errorf("export:\n%s\nwant:\n%s", got, populatedFile)
	}
	_, jheader, jfile := identitiesFile(t, s, s.Token, "application/json")
	if jheader.Get("Content-Type") != "application/json" || !strings.Contains(jfile, `"principal": "group:Acme:Ops"`) ||
		!strings.Contains(jfile, `"version": `+strconv.Itoa(v)) {
		t.Errorf("JSON export (%s):\n%s", jheader.Get("Content-Type"), jfile)
	}
	for _, secret := range secrets {
		for _, f := range []string{file, jfile} {
			if strings.Contains(f, secret) {
				t.Errorf("the export holds a secret %q", secret)
			}
		}
	}
	for _, word := range []string{"password", "hash", "token", "sudo", "system@"} {
		if strings.Contains(strings.ToLower(file), word) {
			t.Errorf("the export mentions %q", word)
		}
	}

	// The version moves with every change the file shows, and only then.
	if v2 := fileVersion(t, exportYAML(t, s)); v2 != v {
		t.Errorf("a second export without changes: version %d, was %d", v2, v)
	}
	login(t, s, "carol", "password-carol")
	if v2 := fileVersion(t, exportYAML(t, s)); v2 != v {
		t.Errorf("a login moved the version from %d to %d", v, v2)
	}
	as(t, s, s.Token).must(201, "POST", "/api/v1/groups", map[string]any{"name": "new"})
	if v2 := fileVersion(t, exportYAML(t, s)); v2 <= v {
		t.Errorf("creating a group left the version at %d (was %d)", v2, v)
	}

	// Reading needs level 100 or lower.
	_, guest := mkUser(t, s, "guest1", "guest")
	if status, _, body := identitiesFile(t, s, guest, ""); status != 403 {
		t.Errorf("a guest reads the file: %d %s", status, body)
	}
	_, auditor := mkUser(t, s, "auditor1", "auditor")
	if status, _, _ := identitiesFile(t, s, auditor, ""); status != 200 {
		t.Errorf("an auditor cannot read the file: %d", status)
	}
}

func TestIdentitiesRoundTrip(t *testing.T) {
	src := testserver.Start(t)
	populate(t, src)
	file := exportYAML(t, src)

	dst := testserver.Start(t)
	if v := fileVersion(t, exportYAML(t, dst)); v != 1 {
		t.Errorf("a new server is at version %d, not 1", v)
	}
	r := putFile(as(t, dst, dst.Token), 200, file)
	if n := len(changes(r)); n != 2+3+2+4 {
		t.Errorf("%d changes: %s", n, r.raw)
	}
	again := exportYAML(t, dst)
	if withoutVersion(again) != withoutVersion(file) {
		t.Errorf("round trip through PUT differs:\n%s\nwant:\n%s", again, file)
	}
	if got, want := fileVersion(t, again), version(r); got != want {
		t.Errorf("the PUT answered version %d, the export says %d", want, got)
	}
	// Users from a file have no password until one is set through the API.
	as(t, dst, "").must(401, "POST", "/api/v1/login", map[string]string{"username": "alice", "password": "password-alice"})

	// Applying the same file again changes nothing, and is not audited.
	before := count(t, dst, `SELECT count(*) FROM audit WHERE action = 'identities.apply'`)
	r = putFile(as(t, dst, dst.Token), 200, again)
	if len(changes(r)) != 0 {
		t.Errorf("a second apply changed: %s", r.raw)
	}
	if n := count(t, dst, `SELECT count(*) FROM audit WHERE action = 'identities.apply'`); n != before {
		t.Errorf("an apply that changed nothing was audited")
	}
	if outcome, _, detail := lastAudit(t, dst, "identities.apply"); outcome != "success" || !strings.Contains(detail, "11 change(s)") {
		t.Errorf("audit: %s %s", outcome, detail)
	}

	// JSON both ways gives the same state.
	_, _, jfile := identitiesFile(t, src, src.Token, "application/json")
	dst2 := testserver.Start(t)
	as(t, dst2, dst2.Token).must(200, "PUT", "/api/v1/identities", jfile)
	if got := exportYAML(t, dst2); withoutVersion(got) != withoutVersion(file) {
		t.Errorf("round trip through JSON differs:\n%s", got)
	}
}

// edited is the populated file with changes: a new user, alice's email, carol
// out of Acme:Ops, a new grant for dave, and Bob and one grant taken out of
// the lists and listed under deletions.
func edited(file string) string {
	file = strings.Replace(file, "email: alice@example.com", "email: alice@acme.example", 1)
	file = strings.Replace(file, "      - Bob\n      - carol\n", "      - Bob\n", 1)
	file = strings.Replace(file, "groups:\n", "  - username: dave\n    email: dave@example.com\n    role: deployer\ngroups:\n", 1)
	file = strings.Replace(file, "grants:\n", "grants:\n  - operation: VIEW_PROJECT\n    scope: project:web\n    principal: user:dave\n", 1)
	// Bob's entry goes, with his memberships and the deletions.
	file = strings.Replace(file, "  - username: Bob\n    email: Bob@example.com\n    role: guest\n    disabled: true\n", "", 1)
	file = strings.Replace(file, "      - Bob\n", "", 1)
	file = strings.Replace(file, "  - operation: VIEW_INVENTORY\n    scope: tenant:acme\n    principal: role:guest\n", "", 1)
	return file + `deletions:
  users: [bob]
  grants:
    - {operation: VIEW_INVENTORY, scope: tenant:acme, principal: role:guest}
`
}

func TestIdentitiesDryRunAndDeletions(t *testing.T) {
	s := testserver.Start(t)
	populate(t, s)
	root := as(t, s, s.Token)
	file := exportYAML(t, s)
	change := edited(file)

	r := putFile(root, 200, change, "dry_run=true")
	want := []map[string]any{
		{"action": "delete", "kind": "grant", "key": "VIEW_INVENTORY on tenant:acme to role:guest"},
		{"action": "update", "kind": "user", "key": "alice", "fields": []any{"email"}},
		{"action": "create", "kind": "user", "key": "dave"},
		{"action": "update", "kind": "group", "key": "Acme:Ops", "fields": []any{"members"}},
		{"action": "create", "kind": "grant", "key": "VIEW_PROJECT on project:web to user:dave"},
		{"action": "delete", "kind": "user", "key": "Bob"},
	}
	got := changes(r)
	if len(got) != len(want) || r.body["dry_run"] != true || version(r) != fileVersion(t, file) {
		t.Fatalf("dry run: %s", r.raw)
	}
	for i, w := range want {
		g := got[i]
		for k, v := range w {
			if !equalJSON(g[k], v) {
				t.Errorf("change %d: %s = %v, want %v", i, k, g[k], v)
			}
		}
	}
	if after := exportYAML(t, s); after != file {
		t.Fatalf("a dry run wrote:\n%s", after)
	}

	r = putFile(root, 200, change)
	if len(changes(r)) != len(want) || r.body["dry_run"] != false {
		t.Fatalf("apply: %s", r.raw)
	}
	after := exportYAML(t, s)
	for _, gone := range []string{"username: Bob", "principal: role:guest"} {
		if strings.Contains(after, gone) {
			t.Errorf("%q is still there", gone)
		}
	}
	for _, kept := range []string{"username: carol", "email: alice@acme.example", "username: dave", "principal: user:dave",
		"name: deployer", "principal: role:ci"} {
		if !strings.Contains(after, kept) {
			t.Errorf("%q is missing:\n%s", kept, after)
		}
	}
	// What the file leaves out is left alone: a file without carol keeps her.
	short := "version: " + strconv.Itoa(fileVersion(t, after)) + "\nusers: []\n"
	if r := putFile(root, 200, short); len(changes(r)) != 0 {
		t.Errorf("an empty file changed: %s", r.raw)
	}
	if count(t, s, `SELECT count(*) FROM users WHERE username IN ('carol', 'alice', 'dave')`) != 3 {
		t.Error("a file that lists no users deleted some")
	}
}

func equalJSON(a, b any) bool {
	as, aok := a.([]any)
	bs, bok := b.([]any)
	if aok && bok {
		return slices.EqualFunc(as, bs, func(x, y any) bool { return x == y })
	}
	return a == b
}

func TestIdentitiesStale(t *testing.T) {
	s := testserver.Start(t)
	populate(t, s)
	root := as(t, s, s.Token)
	file := exportYAML(t, s)
	// Someone changes the server after the export.
	mkUser(t, s, "zoe", "guest")
	r := putFile(root, 412, edited(file))
	if !strings.Contains(r.str("detail"), "version") {
		t.Errorf("412 detail: %s", r.raw)
	}
	putFile(root, 412, edited(file), "dry_run=true")
	if count(t, s, `SELECT count(*) FROM users WHERE username IN ('dave', 'Bob')`) != 1 {
		t.Error("a stale file was applied")
	}

	// Version 0 only creates: new objects apply, changes to existing ones are refused.
	fresh := "version: 0\nusers:\n  - {username: yan, email: yan@example.com}\n"
	r = putFile(root, 200, fresh)
	if len(changes(r)) != 1 || scalar(t, s, `SELECT role FROM users WHERE username = 'yan'`) != "guest" {
		t.Errorf("create-only file: %s", r.raw)
	}
	putFile(root, 200, fresh) // the same again: nothing to change
	r = putFile(root, 412, "version: 0\nusers:\n  - {username: yan, email: yan@other.example}\n  - {username: yves, email: yves@example.com}\n")
	if !strings.Contains(r.str("detail"), `update user "yan"`) {
		t.Errorf("create-only update: %s", r.raw)
	}
	r = putFile(root, 400, "version: 0\ndeletions: {users: [yan]}\n")
	if r.fieldErr("deletions") == "" {
		t.Errorf("create-only deletion: %s", r.raw)
	}
	if count(t, s, `SELECT count(*) FROM users WHERE username = 'yves'`) != 0 {
		t.Error("a refused create-only file was applied")
	}
}

func TestIdentitiesAuthorization(t *testing.T) {
	s := testserver.Start(t)
	populate(t, s)
	_, admin := mkUser(t, s, "adm", "admin")
	file := exportYAML(t, s)
	v := strconv.Itoa(fileVersion(t, file))

	// Eve is fine; mallory as sudo is above an admin. Nothing of the file is written.
	body := "version: " + v + "\nusers:\n  - {username: eve, email: eve@example.com}\n  - {username: mallory, email: m@example.com, role: sudo}\n"
	r := putFile(as(t, s, admin), 403, body)
	if !strings.Contains(r.str("detail"), `create user "mallory"`) || !strings.Contains(r.str("detail"), "sudo") {
		t.Errorf("403 detail: %s", r.raw)
	}
	putFile(as(t, s, admin), 403, body, "dry_run=true")
	if count(t, s, `SELECT count(*) FROM users WHERE username IN ('eve', 'mallory')`) != 0 {
		t.Error("a refused file was partly applied")
	}
	if outcome, status, detail := lastAudit(t, s, "identities.apply"); outcome != "denied" || status != 403 || !strings.Contains(detail, "mallory") {
		t.Errorf("audit: %s %d %s", outcome, status, detail)
	}
	// The system user is not part of the file, whoever uploads it.
	r = putFile(as(t, s, s.Token), 403, "version: "+v+"\nusers:\n  - {username: system, email: root@example.com, role: sudo}\n")
	if !strings.Contains(r.str("detail"), "system user") {
		t.Errorf("system user: %s", r.raw)
	}
	putFile(as(t, s, s.Token), 403, "version: "+v+"\ndeletions: {users: [system]}\n")
	putFile(as(t, s, s.Token), 403, "version: "+v+"\ndeletions: {roles: [guest]}\n")
	// An admin grants no SUPER_ADMIN; the refusal names the grant.
	r = putFile(as(t, s, admin), 403, "version: "+v+"\ngrants:\n  - {operation: SUPER_ADMIN, scope: global, principal: user:alice}\n")
	if !strings.Contains(r.str("detail"), `create grant "SUPER_ADMIN on global to user:alice"`) {
		t.Errorf("grant refusal: %s", r.raw)
	}
	// A role still in use is a conflict naming it.
	r = putFile(as(t, s, s.Token), 409, "version: "+v+"\ndeletions: {roles: [ci]}\n")
	if !strings.Contains(r.str("detail"), `delete role "ci"`) {
		t.Errorf("role in use: %s", r.raw)
	}
	// A guest may not even read the file, so it may not apply one.
	_, guest := mkUser(t, s, "g", "guest")
	putFile(as(t, s, guest), 403, "version: "+v+"\n")
	// An admin's valid file applies.
	v = strconv.Itoa(fileVersion(t, exportYAML(t, s)))
	putFile(as(t, s, admin), 200, "version: "+v+"\nusers:\n  - {username: eve, email: eve@example.com}\n")

	// A delegated admin (an auditor holding ADMIN_TENANT on tenant:acme) hands on through a file
	// what it holds there, and nothing else.
	delegateID, delegate := mkUser(t, s, "delegate", "auditor")
	root := as(t, s, s.Token)
	root.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "ADMIN_TENANT", "scope": "tenant:acme", "user_id": delegateID})
	root.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_INVENTORY", "scope": "tenant:acme", "user_id": delegateID})
	v = strconv.Itoa(fileVersion(t, exportYAML(t, s)))
	r = putFile(as(t, s, delegate), 403, "version: "+v+"\ngrants:\n"+
		"  - {operation: VIEW_INVENTORY, scope: tenant:acme, principal: user:eve}\n"+
		"  - {operation: MODIFY_TENANT, scope: tenant:acme, principal: user:eve}\n")
	if !strings.Contains(r.str("detail"), `create grant "MODIFY_TENANT on tenant:acme to user:eve"`) {
		t.Errorf("delegated admin, grant it does not hold: %s", r.raw)
	}
	r = putFile(as(t, s, delegate), 200, "version: "+v+"\ngrants:\n  - {operation: VIEW_INVENTORY, scope: tenant:acme, principal: user:eve}\n")
	if len(changes(r)) != 1 || count(t, s, `SELECT count(*) FROM permissions p JOIN users u ON u.id = p.user_id WHERE u.username = 'eve'`) != 1 {
		t.Errorf("delegated admin, grant it holds: %s", r.raw)
	}
}

func TestIdentitiesInvalid(t *testing.T) {
	s := testserver.Start(t)
	root := as(t, s, s.Token)
	for _, tc := range []struct{ body, field, detail string }{
		{"version: 1\nusers: [\n", "", "not valid YAML"},
		{"version: 1\nusers:\n  - {username: a, email: a@example.com, nickname: x}\n", "", `line 3: unknown field "nickname"`},
		{"versio: 1\n", "", `unknown field "versio"`},
		{"version: one\n", "", "cannot unmarshal"},
		{"version: 1\n---\nversion: 2\n", "", "one YAML document"},
		{"", "", "empty"},
		{"users: []\n", "version", ""},
		{"version: 1\nusers:\n  - {username: a, email: not-an-email}\n", "users[0].email", ""},
		{"version: 1\nusers:\n  - {username: 'a b', email: a@example.com}\n", "users[0].username", ""},
		{"version: 1\nusers:\n  - {username: a, email: a@example.com}\n  - {username: A, email: b@example.com}\n", "users[1].username", ""},
		{"version: 1\nusers:\n  - {username: a, email: a@example.com, role: nosuch}\n", "users[0].role", ""},
		{"version: 1\nroles:\n  - {name: admin, level: 1}\n", "roles[0].name", ""},
		{"version: 1\nroles:\n  - {name: r1}\n", "roles[0].level", ""},
		{"version: 1\nroles:\n  - {name: r1, level: 5000}\n", "roles[0].level", ""},
		{"version: 1\ngroups:\n  - {name: 'a:b'}\n", "groups[0].name", ""},
		{"version: 1\ngroups:\n  - {name: g, members: [ghost]}\n", "groups[0].members[0]", ""},
		{"version: 1\ngrants:\n  - {operation: FLY, scope: global, principal: role:guest}\n", "grants[0].operation", ""},
		{"version: 1\ngrants:\n  - {operation: VIEW_PROJECT, scope: 'moon:x', principal: role:guest}\n", "grants[0].scope", ""},
		{"version: 1\ngrants:\n  - {operation: VIEW_PROJECT, scope: global, principal: team:x}\n", "grants[0].principal", ""},
		{"version: 1\ngrants:\n  - {operation: VIEW_PROJECT, scope: global, principal: 'group:Nope'}\n", "grants[0].principal", ""},
		{"version: 1\ndeletions: {users: [ghost]}\n", "deletions.users[0]", ""},
		{"version: 1\nusers:\n  - {username: a, email: a@example.com}\ndeletions: {users: [A]}\n", "users[0].username", ""},
	} {
		r := putFile(root, 400, tc.body)
		if tc.field != "" && r.fieldErr(tc.field) == "" {
			t.Errorf("%q: no error on %s: %s", tc.body, tc.field, r.raw)
		}
		if tc.detail != "" && !strings.Contains(r.str("detail"), tc.detail) {
			t.Errorf("%q: detail %q, want %q", tc.body, r.str("detail"), tc.detail)
		}
	}
	// The body may be larger than other endpoints' 1 MiB, up to 32 MiB.
	padding := strings.Repeat("# "+strings.Repeat("x", 1022)+"\n", 2<<10)
	putFile(root, 200, padding+"version: 1\n")
	r0 := putFile(root, 400, strings.Repeat(padding, 17)+"version: 1\n")
	if !strings.HasSuffix(r0.str("type"), "/too-large") {
		t.Errorf("a 34 MiB file: %s", r0.raw)
	}
	// JSON goes through the strict decoder.
	r := root.must(400, "PUT", "/api/v1/identities", `{"version": 1, "colour": "red"}`)
	if r.fieldErr("colour") == "" {
		t.Errorf("JSON unknown field: %s", r.raw)
	}
	root.must(415, "PUT", "/api/v1/identities", "version: 1\n", "Content-Type", "application/xml")
	root.must(400, "PUT", "/api/v1/identities?dry_run=maybe", "version: 1\n", "Content-Type", "application/yaml")
	if count(t, s, `SELECT count(*) FROM users`) != 1 || count(t, s, `SELECT count(*) FROM audit WHERE action = 'identities.apply' AND outcome = 'success'`) != 0 {
		t.Error("an invalid file wrote something")
	}
}
