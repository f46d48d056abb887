package testserver_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/seed/terraform-provider-identity/testserver"
)

func TestLoginLogoutAndCredentials(t *testing.T) {
	s := testserver.Start(t)
	anon := as(t, s, "")
	id, tok := mkUser(t, s, "alice", "guest")

	r := anon.must(200, "POST", "/api/v1/login", map[string]string{"username": "ALICE", "password": "password-alice"})
	if r.str("token") == "" || r.str("expires_at") == "" || r.obj("user")["id"] != id {
		t.Fatalf("login response %s", r.raw)
	}
	if strings.Contains(string(r.raw), "password_hash") || strings.Contains(string(r.raw), "argon2") {
		t.Fatalf("login leaks the hash: %s", r.raw)
	}
	if n := count(t, s, `SELECT count(*) FROM sessions WHERE user_id = ?`, id); n != 2 {
		t.Fatalf("sessions = %d, want 2", n)
	}

	// One message for unknown user and wrong password.
	wrong := anon.must(401, "POST", "/api/v1/login", map[string]string{"username": "alice", "password": "not-the-password"})
	unknown := anon.must(401, "POST", "/api/v1/login", map[string]string{"username": "nobody", "password": "not-the-password"})
	if wrong.str("detail") != unknown.str("detail") {
		t.Fatalf("401 details differ: %q vs %q", wrong.str("detail"), unknown.str("detail"))
	}
	if o, st, _ := lastAudit(t, s, "session.login"); o != "failed" || st != 401 {
		t.Fatalf("failed login audit = %s %d", o, st)
	}
	anon.must(400, "POST", "/api/v1/login", map[string]string{"username": "alice"})

	// Both header forms work; missing or garbage credentials do not.
	as(t, s, tok).must(200, "GET", "/api/v1/me", nil)
	api{t: t, s: s, token: tok, apiKey: true}.must(200, "GET", "/api/v1/me", nil)
	anon.must(401, "GET", "/api/v1/me", nil)
	as(t, s, "garbage").must(401, "GET", "/api/v1/me", nil)
	as(t, s, "a.b.c").must(401, "GET", "/api/v1/me", nil)
	anon.must(401, "GET", "/api/v1/me", nil, "Authorization", "Basic "+tok)

	// Logout ends exactly that session.
	as(t, s, tok).must(204, "POST", "/api/v1/logout", nil)
	as(t, s, tok).must(401, "GET", "/api/v1/me", nil)
	if n := count(t, s, `SELECT count(*) FROM sessions WHERE user_id = ?`, id); n != 1 {
		t.Fatalf("sessions after logout = %d, want 1", n)
	}
	as(t, s, r.str("token")).must(200, "GET", "/api/v1/me", nil)
}

func TestLoginThrottlePerAccount(t *testing.T) {
	s := testserver.Start(t, testserver.Options{LoginMaxFailures: 3})
	anon := as(t, s, "")
	mkUser(t, s, "alice", "guest")
	mkUser(t, s, "bob", "guest")
	for i := 0; i < 3; i++ {
		anon.must(401, "POST", "/api/v1/login", map[string]string{"username": "alice", "password": "wrong-password"})
	}
	r := anon.must(429, "POST", "/api/v1/login", map[string]string{"username": "alice", "password": "password-alice"})
	if r.header.Get("Retry-After") == "" || !strings.HasSuffix(r.str("type"), "/rate-limited") {
		t.Fatalf("429 without Retry-After or type: %v %s", r.header, r.raw)
	}
	// Another account is not locked out.
	anon.must(200, "POST", "/api/v1/login", map[string]string{"username": "bob", "password": "password-bob"})
}

func TestDisabledAndDeletedUsersLockedOutAtOnce(t *testing.T) {
	s := testserver.Start(t)
	root := as(t, s, s.Token)
	id, tok := mkUser(t, s, "carol", "guest")
	as(t, s, tok).must(200, "GET", "/api/v1/me", nil)

	root.must(200, "PATCH", "/api/v1/users/"+id, map[string]any{"disabled": true})
	as(t, s, tok).must(401, "GET", "/api/v1/me", nil)
	as(t, s, "").must(401, "POST", "/api/v1/login", map[string]string{"username": "carol", "password": "password-carol"})
	if scalar(t, s, `SELECT disabled FROM users WHERE id = ?`, id) != "1" {
		t.Fatal("disabled not stored")
	}

	root.must(200, "PATCH", "/api/v1/users/"+id, map[string]any{"disabled": false})
	tok = login(t, s, "carol", "password-carol")
	root.must(204, "DELETE", "/api/v1/users/"+id, nil)
	as(t, s, tok).must(401, "GET", "/api/v1/me", nil)
	if n := count(t, s, `SELECT count(*) FROM users WHERE id = ?`, id); n != 0 {
		t.Fatal("user still stored")
	}
	root.must(404, "GET", "/api/v1/users/"+id, nil)
	root.must(404, "DELETE", "/api/v1/users/"+id, nil)
}

func TestUserCRUDValidationAndVersions(t *testing.T) {
	s := testserver.Start(t)
	root := as(t, s, s.Token)
	r := root.must(201, "POST", "/api/v1/users", map[string]any{
		"username": "Alice", "email": "Alice@Example.com", "first_name": "Alice", "organization": "Wonderland",
		"attributes": map[string]string{"team": "blue"}, "password": "correct horse battery",
	})
	id := r.str("id")
	if r.header.Get("ETag") != `"1"` || r.body["version"] != float64(1) || r.str("role") != "guest" || r.str("last_name") != "" {
		t.Fatalf("create response %v %s", r.header, r.raw)
	}
	if h := scalar(t, s, `SELECT password_hash FROM users WHERE id = ?`, id); !strings.HasPrefix(h, "$argon2id$v=19$") {
		t.Fatalf("stored hash %q", h)
	}

	// Case-insensitive uniqueness.
	r = root.must(409, "POST", "/api/v1/users", map[string]any{"username": "ALICE", "email": "other@example.com"})
	if r.fieldErr("username") == "" {
		t.Fatalf("409 without username error: %s", r.raw)
	}
	r = root.must(409, "POST", "/api/v1/users", map[string]any{"username": "alice2", "email": "alice@EXAMPLE.COM"})
	if r.fieldErr("email") == "" {
		t.Fatalf("409 without email error: %s", r.raw)
	}
	if n := count(t, s, `SELECT count(*) FROM users`); n != 2 {
		t.Fatalf("users = %d, want 2", n)
	}

	// Validation, per field.
	r = root.must(400, "POST", "/api/v1/users", map[string]any{"username": "bad name", "email": "not-an-email", "password": "short",
		"attributes": map[string]string{"9bad": "x"}})
	for _, f := range []string{"username", "email", "password", "attributes.9bad"} {
		if r.fieldErr(f) == "" {
			t.Errorf("no error for %s: %s", f, r.raw)
		}
	}
	root.must(400, "POST", "/api/v1/users", map[string]any{"username": "x", "email": "x@example.com", "role": "nope"})
	r = root.must(400, "POST", "/api/v1/users", `{"username":"x","email":"x@example.com","shoe_size":42}`)
	if r.fieldErr("shoe_size") == "" {
		t.Fatalf("unknown field not named: %s", r.raw)
	}
	root.must(400, "POST", "/api/v1/users", `{"username":"x","email":"x@example.com"} {"again":1}`)
	root.must(400, "POST", "/api/v1/users", `{"username":"x","email":"x@example.com"} garbage`)
	root.must(400, "POST", "/api/v1/users", `{"username":"x",`)
	root.must(400, "POST", "/api/v1/users", `[]`)
	root.must(400, "POST", "/api/v1/users", ``)
	root.must(400, "POST", "/api/v1/users", `{"username": 5}`)
	big := `{"username":"x","email":"x@example.com","first_name":"` + strings.Repeat("a", 1<<20) + `"}`
	if r = root.must(400, "POST", "/api/v1/users", big); !strings.HasSuffix(r.str("type"), "/too-large") {
		t.Fatalf("oversized body type %s", r.str("type"))
	}
	// A password of 128 characters is kept whole; 129 is refused, never truncated.
	long := strings.Repeat("p", 127) + "Z"
	r = root.must(201, "POST", "/api/v1/users", map[string]any{"username": "longpw", "email": "longpw@example.com", "password": long})
	login(t, s, "longpw", long)
	as(t, s, "").must(401, "POST", "/api/v1/login", map[string]string{"username": "longpw", "password": long[:127]})
	root.must(400, "POST", "/api/v1/users", map[string]any{"username": "longpw2", "email": "longpw2@example.com", "password": long + "x"})

	// Ids that are not UUIDs name nothing.
	root.must(404, "GET", "/api/v1/users/not-a-uuid", nil)
	root.must(404, "PATCH", "/api/v1/users/1234", map[string]any{"first_name": "x"})
	root.must(404, "GET", "/api/v1/users/00000000-0000-0000-0000-000000000000", nil)

	// PATCH with versions.
	r = root.must(200, "PATCH", "/api/v1/users/"+id, map[string]any{"last_name": "Liddell", "attributes": map[string]string{"a": "b"}}, "If-Match", `"1"`)
	if r.body["version"] != float64(2) || r.header.Get("ETag") != `"2"` || r.str("last_name") != "Liddell" || r.str("first_name") != "Alice" {
		t.Fatalf("patch response %s", r.raw)
	}
	root.must(412, "PATCH", "/api/v1/users/"+id, map[string]any{"last_name": "Other"}, "If-Match", `"1"`)
	root.must(412, "DELETE", "/api/v1/users/"+id, nil, "If-Match", "1")
	if v := scalar(t, s, `SELECT last_name || '/' || version || '/' || attributes FROM users WHERE id = ?`, id); v != `Liddell/2/{"a":"b"}` {
		t.Fatalf("stored after 412s: %s", v)
	}
	root.must(400, "PATCH", "/api/v1/users/"+id, map[string]any{"username": "renamed"})
	root.must(200, "PATCH", "/api/v1/users/"+id, map[string]any{"first_name": "Al"}, "If-Match", "*")
	r = root.must(200, "GET", "/api/v1/users/"+id, nil)
	if r.header.Get("ETag") != `"3"` || r.str("username") != "Alice" || r.str("email") != "Alice@Example.com" {
		t.Fatalf("get %v %s", r.header, r.raw)
	}
	if o, st, _ := lastAudit(t, s, "user.update"); o != "success" || st != 200 {
		t.Fatalf("audit %s %d", o, st)
	}

	// A PATCH that changes nothing keeps the version, so it never breaks
	// another writer's If-Match.
	r = root.must(200, "PATCH", "/api/v1/users/"+id, map[string]any{"first_name": "Al", "attributes": map[string]string{"a": "b"}}, "If-Match", `"3"`)
	if r.body["version"] != float64(3) || r.header.Get("ETag") != `"3"` {
		t.Fatalf("no-op patch response %v %s", r.header, r.raw)
	}
	if v := scalar(t, s, `SELECT version FROM users WHERE id = ?`, id); v != "3" {
		t.Fatalf("stored version after a no-op patch: %s", v)
	}
}

func TestUserListFiltersAndPaging(t *testing.T) {
	s := testserver.Start(t)
	root := as(t, s, s.Token)
	for i := 0; i < 7; i++ {
		org := "even"
		if i%2 == 1 {
			org = "odd"
		}
		root.must(201, "POST", "/api/v1/users", map[string]any{"username": fmt.Sprintf("u%d", i), "email": fmt.Sprintf("u%d@corp%d.example.com", i, i%2),
			"organization": org, "role": []string{"guest", "operator"}[i%2]})
	}
	var seen []string
	cursor := ""
	for page := 0; ; page++ {
		r := root.must(200, "GET", "/api/v1/users?limit=3&cursor="+cursor, nil)
		for _, it := range r.items() {
			seen = append(seen, fmt.Sprint(it["username"]))
		}
		cursor = r.str("next_cursor")
		if cursor == "" {
			break
		}
		if page > 5 {
			t.Fatal("paging does not end")
		}
	}
	if strings.Join(seen, ",") != "system,u0,u1,u2,u3,u4,u5,u6" {
		t.Fatalf("paged order %v", seen)
	}
	check := func(q string, want int) {
		t.Helper()
		if n := len(root.must(200, "GET", "/api/v1/users?"+q, nil).items()); n != want {
			t.Errorf("%s: %d items, want %d", q, n, want)
		}
	}
	check("email=U3@CORP1.example.com", 1)
	check("username=U3", 1)
	check("email_suffix=@CORP1.example.com", 3)
	check("email_suffix=%25", 0)
	check("role=operator", 3)
	check("organization=EVEN", 4)
	check("role=nosuchrole", 0)
	check("group_id=not-a-uuid", 0)
	root.must(400, "GET", "/api/v1/users?limit=0", nil)
	root.must(400, "GET", "/api/v1/users?limit=501", nil)
	root.must(400, "GET", "/api/v1/users?limit=abc", nil)
	root.must(400, "GET", "/api/v1/users?cursor=!!!", nil)
}

func TestUserManagementRules(t *testing.T) {
	s := testserver.Start(t)
	root := as(t, s, s.Token)
	adminID, adminTok := mkUser(t, s, "ada", "admin")
	_, supTok := mkUser(t, s, "sue", "supervisor")
	opID, opTok := mkUser(t, s, "otto", "operator")
	guestID, guestTok := mkUser(t, s, "gus", "guest")
	_, audTok := mkUser(t, s, "audrey", "auditor")
	sudoID, _ := mkUser(t, s, "root2", "sudo")
	admin, sup, op, guest := as(t, s, adminTok), as(t, s, supTok), as(t, s, opTok), as(t, s, guestTok)

	// No one assigns a role above their own level.
	r := admin.must(403, "POST", "/api/v1/users", map[string]any{"username": "evil", "email": "evil@example.com", "role": "sudo"})
	if r.str("detail") != `user "ada" with role admin (level 1) cannot assign role sudo (level 0)` {
		t.Fatalf("403 detail %q", r.str("detail"))
	}
	if n := count(t, s, `SELECT count(*) FROM users WHERE username = 'evil'`); n != 0 {
		t.Fatal("refused user was stored")
	}
	if o, st, d := lastAudit(t, s, "user.create"); o != "denied" || st != 403 || !strings.Contains(d, "cannot assign role sudo") {
		t.Fatalf("denied create audit %s %d %s", o, st, d)
	}
	admin.must(201, "POST", "/api/v1/users", map[string]any{"username": "ada2", "email": "ada2@example.com", "role": "admin"})
	sup.must(403, "POST", "/api/v1/users", map[string]any{"username": "x1", "email": "x1@example.com", "role": "admin"})
	op.must(403, "POST", "/api/v1/users", map[string]any{"username": "x2", "email": "x2@example.com"})
	admin.must(403, "PATCH", "/api/v1/users/"+opID, map[string]any{"role": "sudo"})
	if scalar(t, s, `SELECT role FROM users WHERE id = ?`, opID) != "operator" {
		t.Fatal("refused promotion stored")
	}
	sup.must(200, "PATCH", "/api/v1/users/"+opID, map[string]any{"role": "supervisor"})
	sup.must(403, "PATCH", "/api/v1/users/"+adminID, map[string]any{"first_name": "x"})
	admin.must(403, "DELETE", "/api/v1/users/"+sudoID, nil)
	admin.must(403, "PUT", "/api/v1/users/"+sudoID+"/password", map[string]any{"new_password": "new-password-1"})

	// Guests read and change only themselves, and cannot promote themselves.
	guest.must(200, "GET", "/api/v1/users/"+guestID, nil)
	guest.must(403, "GET", "/api/v1/users/"+opID, nil)
	guest.must(403, "GET", "/api/v1/users", nil)
	guest.must(200, "PATCH", "/api/v1/users/"+guestID, map[string]any{"first_name": "Gus", "attributes": map[string]string{"k": "v"}})
	guest.must(403, "PATCH", "/api/v1/users/"+guestID, map[string]any{"role": "admin"})
	guest.must(200, "PATCH", "/api/v1/users/"+guestID, map[string]any{"role": "guest", "disabled": false})
	if v := scalar(t, s, `SELECT first_name || '/' || role FROM users WHERE id = ?`, guestID); v != "Gus/guest" {
		t.Fatalf("guest row %s", v)
	}
	if o, st, _ := lastAudit(t, s, "user.list"); o != "denied" || st != 403 {
		t.Fatalf("denied read audit %s %d", o, st)
	}

	// Auditors and operators read (reading needs level 100 or lower; see AUTHORIZATION.md).
	as(t, s, audTok).must(200, "GET", "/api/v1/users", nil)
	op.must(200, "GET", "/api/v1/users", nil)

	// The system user is protected from everyone, itself included.
	sys := s.SystemUserID
	for _, c := range []api{root, admin} {
		c.must(403, "DELETE", "/api/v1/users/"+sys, nil)
		c.must(403, "PATCH", "/api/v1/users/"+sys, map[string]any{"disabled": true})
		c.must(403, "PATCH", "/api/v1/users/"+sys, map[string]any{"role": "admin"})
		c.must(403, "PUT", "/api/v1/users/"+sys+"/password", map[string]any{"new_password": "another-password"})
	}
	r = root.must(403, "PUT", "/api/v1/users/"+sys+"/password", map[string]any{"new_password": "another-password", "current_password": s.SuperuserPassword})
	if !strings.Contains(r.str("detail"), "system user") {
		t.Fatalf("detail %q", r.str("detail"))
	}
	if v := scalar(t, s, `SELECT role || '/' || disabled || '/' || version FROM users WHERE id = ?`, sys); v != "sudo/0/1" {
		t.Fatalf("system row changed: %s", v)
	}
	login(t, s, "system", s.SuperuserPassword)
	root.must(200, "PATCH", "/api/v1/users/"+sys, map[string]any{"first_name": "System", "role": "sudo", "disabled": false})
}

func TestPasswords(t *testing.T) {
	s := testserver.Start(t)
	root := as(t, s, s.Token)
	id, tok := mkUser(t, s, "pat", "guest")
	other := login(t, s, "pat", "password-pat")
	me := as(t, s, tok)
	me.must(400, "PUT", "/api/v1/users/"+id+"/password", map[string]any{"new_password": "brand-new-password"})
	r := me.must(400, "PUT", "/api/v1/users/"+id+"/password", map[string]any{"new_password": "brand-new-password", "current_password": "wrong-one"})
	if r.fieldErr("current_password") == "" {
		t.Fatalf("no current_password error: %s", r.raw)
	}
	me.must(400, "PUT", "/api/v1/users/"+id+"/password", map[string]any{"new_password": "short", "current_password": "password-pat"})
	me.must(204, "PUT", "/api/v1/users/"+id+"/password", map[string]any{"new_password": "brand-new-password", "current_password": "password-pat"})
	login(t, s, "pat", "brand-new-password")
	as(t, s, "").must(401, "POST", "/api/v1/login", map[string]string{"username": "pat", "password": "password-pat"})
	me.must(200, "GET", "/api/v1/me", nil)              // the session that changed it stays
	as(t, s, other).must(401, "GET", "/api/v1/me", nil) // other sessions end

	root.must(204, "PUT", "/api/v1/users/"+id+"/password", map[string]any{"new_password": "reset-by-admin"})
	login(t, s, "pat", "reset-by-admin")
	if o, _, d := lastAudit(t, s, "user.password"); o != "success" || strings.Contains(d, "reset-by-admin") {
		t.Fatalf("audit %s %s", o, d)
	}
}

// Id filters read UUIDs in any case, as paths do; an explicit empty
// organization filter selects the objects without an organization.
func TestListFiltersIDCaseAndEmptyOrganization(t *testing.T) {
	s := testserver.Start(t)
	root := as(t, s, s.Token)
	withOrg := root.must(201, "POST", "/api/v1/users", map[string]any{"username": "orgd", "email": "orgd@example.com", "organization": "Acme"}).str("id")
	without := root.must(201, "POST", "/api/v1/users", map[string]any{"username": "loner", "email": "loner@example.com"}).str("id")
	g := root.must(201, "POST", "/api/v1/groups", map[string]any{"name": "crew"}).str("id")
	root.must(201, "POST", "/api/v1/groups", map[string]any{"name": "crew", "organization": "Acme"})
	root.must(200, "PUT", "/api/v1/groups/"+g+"/members", map[string]any{"user_ids": []string{withOrg, without}})
	root.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": "project:web", "user_id": without})
	root.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": "project:web", "group_id": g})

	names := func(path, key string) string {
		t.Helper()
		var out []string
		for _, it := range root.must(200, "GET", path, nil).items() {
			out = append(out, fmt.Sprint(it[key]))
		}
		return strings.Join(out, ",")
	}
	up := strings.ToUpper
	for path, want := range map[string]string{
		"/api/v1/users?group_id=" + up(g):                             "orgd,loner",
		"/api/v1/users?organization=":                                 "system,loner",
		"/api/v1/users?organization=acme":                             "orgd",
		"/api/v1/users":                                               "system,orgd,loner",
		"/api/v1/groups?organization=":                                "crew",
		"/api/v1/groups/" + up(g) + "/members?user_id=" + up(without): without,
	} {
		key := "username"
		switch {
		case strings.HasPrefix(path, "/api/v1/groups?"):
			key = "full_name"
		case strings.Contains(path, "/members"):
			key = "user_id"
		}
		if got := names(path, key); got != want {
			t.Errorf("GET %s: %s, want %s", path, got, want)
		}
	}
	if n := len(root.must(200, "GET", "/api/v1/permissions?user_id="+up(without), nil).items()); n != 1 {
		t.Errorf("permissions of an upper-cased user id: %d, want 1", n)
	}
	if n := len(root.must(200, "GET", "/api/v1/permissions?group_id="+up(g), nil).items()); n != 1 {
		t.Errorf("permissions of an upper-cased group id: %d, want 1", n)
	}
}
