package testserver_test

import (
	"testing"

	"github.com/seed/terraform-provider-identity/testserver"
)

func TestSignInByEmail(t *testing.T) {
	s := testserver.Start(t)
	anon := as(t, s, "")
	id, _ := mkUser(t, s, "erin", "guest") // email erin@example.com
	if v := scalar(t, s, `SELECT last_login_at FROM users WHERE id = ?`, id); v == "<nil>" {
		t.Fatal("last_login_at not set by mkUser's login")
	}

	// The email in username, case-insensitively, or in email.
	r := anon.must(200, "POST", "/api/v1/login", map[string]string{"username": "ERIN@example.com", "password": "password-erin"})
	if u := r.obj("user"); u["id"] != id || u["last_login_at"] == nil {
		t.Fatalf("login by email in username: %s", r.raw)
	}
	anon.must(200, "POST", "/api/v1/login", map[string]string{"email": "erin@example.com", "password": "password-erin"})
	// One 401 message whichever way the account is named, known or not.
	msgs := map[string]bool{}
	for _, body := range []map[string]string{
		{"username": "erin@example.com", "password": "wrong-password"},
		{"email": "erin@example.com", "password": "wrong-password"},
		{"username": "nobody@example.com", "password": "wrong-password"},
		{"email": "erin", "password": "password-erin"}, // a username is not an email
		{"username": "nobody", "password": "wrong-password"},
	} {
		msgs[anon.must(401, "POST", "/api/v1/login", body).str("detail")] = true
	}
	if len(msgs) != 1 {
		t.Fatalf("401 messages differ: %v", msgs)
	}
	r = anon.must(400, "POST", "/api/v1/login", map[string]string{"username": "erin", "email": "erin@example.com", "password": "x"})
	if r.fieldErr("email") == "" {
		t.Fatalf("both names: %s", r.raw)
	}
	anon.must(400, "POST", "/api/v1/login", map[string]string{"password": "x"})

	// A username that looks like an email wins over another user's email.
	root := as(t, s, s.Token)
	root.must(201, "POST", "/api/v1/users", map[string]any{"username": "erin@example.com", "email": "other@example.com", "password": "password-other"})
	anon.must(200, "POST", "/api/v1/login", map[string]string{"username": "erin@example.com", "password": "password-other"})
	anon.must(200, "POST", "/api/v1/login", map[string]string{"email": "erin@example.com", "password": "password-erin"})
}

func TestLoginThrottleFromSettings(t *testing.T) {
	s := testserver.Start(t)
	as(t, s, s.Token).must(200, "PATCH", "/api/v1/settings", map[string]any{"login_throttle_threshold": 2, "login_throttle_window": "10m"})
	anon := as(t, s, "")
	mkUser(t, s, "fay", "guest")
	// Failures count per account, however it is named.
	anon.must(401, "POST", "/api/v1/login", map[string]string{"username": "fay", "password": "wrong-password"})
	anon.must(401, "POST", "/api/v1/login", map[string]string{"username": "fay@example.com", "password": "wrong-password"})
	r := anon.must(429, "POST", "/api/v1/login", map[string]string{"email": "fay@example.com", "password": "password-fay"})
	if r.header.Get("Retry-After") == "" {
		t.Fatalf("no Retry-After: %v", r.header)
	}
	anon.must(429, "POST", "/api/v1/login", map[string]string{"username": "fay", "password": "password-fay"})
}
