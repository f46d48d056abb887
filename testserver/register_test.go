package testserver_test

import (
	"strings"
	"testing"

	"github.com/seed/terraform-provider-identity/testserver"
)

func TestSelfRegistration(t *testing.T) {
	s := testserver.Start(t)
	root := as(t, s, s.Token)
	anon := as(t, s, "")
	body := map[string]any{"username": "newbie", "email": "newbie@example.com", "password": "a good password", "first_name": "New"}

	r := anon.must(403, "POST", "/api/v1/register", body)
	if !strings.Contains(r.str("detail"), "self-registration is off") {
		t.Fatalf("while off: %s", r.raw)
	}
	if n := count(t, s, `SELECT count(*) FROM users WHERE username = 'newbie'`); n != 0 {
		t.Fatal("a user was created while self-registration is off")
	}

	root.must(200, "PATCH", "/api/v1/settings", map[string]any{"self_registration": true, "password_min_length": 10})
	r = anon.must(400, "POST", "/api/v1/register", map[string]any{"username": "x y", "email": "nope", "password": "short"})
	for _, f := range []string{"username", "email", "password"} {
		if r.fieldErr(f) == "" {
			t.Fatalf("no error for %s: %s", f, r.raw)
		}
	}
	anon.must(400, "POST", "/api/v1/register", map[string]any{"username": "newbie", "email": "newbie@example.com", "password": "a good password", "role": "sudo"})

	r = anon.must(201, "POST", "/api/v1/register", body)
	if r.str("role") != "guest" || r.str("first_name") != "New" || r.body["last_login_at"] != nil || r.str("id") == "" {
		t.Fatalf("registered: %s", r.raw)
	}
	if outcome, status, detail := lastAudit(t, s, "user.register"); outcome != "success" || status != 201 || detail != "username newbie, role guest" {
		t.Fatalf("audit: %s %d %q", outcome, status, detail)
	}
	// The new account signs in; taken names are a conflict.
	login(t, s, "newbie", "a good password")
	r = anon.must(409, "POST", "/api/v1/register", body)
	if r.fieldErr("username") == "" {
		t.Fatalf("taken: %s", r.raw)
	}

	// The configured role is given.
	root.must(200, "PATCH", "/api/v1/settings", map[string]any{"self_registration_role": "auditor"})
	r = anon.must(201, "POST", "/api/v1/register", map[string]any{"username": "reader", "email": "reader@example.com", "password": "another password"})
	if r.str("role") != "auditor" {
		t.Fatalf("role: %s", r.raw)
	}
}

func TestSelfRegistrationThrottledPerAddress(t *testing.T) {
	s := testserver.Start(t)
	as(t, s, s.Token).must(200, "PATCH", "/api/v1/settings", map[string]any{"self_registration": true})
	anon := as(t, s, "")
	for i := 0; i < 10; i++ {
		anon.must(400, "POST", "/api/v1/register", map[string]any{"username": "u", "email": "bad", "password": "p"})
	}
	r := anon.must(429, "POST", "/api/v1/register", map[string]any{"username": "late", "email": "late@example.com", "password": "a good password"})
	if r.header.Get("Retry-After") == "" || !strings.Contains(r.str("detail"), "too many registrations from this address") {
		t.Fatalf("429: %v %s", r.header, r.raw)
	}
	if n := count(t, s, `SELECT count(*) FROM users WHERE username = 'late'`); n != 0 {
		t.Fatal("throttled registration created a user")
	}
}
