package testserver_test

import (
	"strings"
	"testing"
	"time"

	"github.com/seed/terraform-provider-identity/testserver"
)

func TestSettingsDefaultsChangesAndReset(t *testing.T) {
	s := testserver.Start(t)
	root := as(t, s, s.Token)
	r := root.must(200, "GET", "/api/v1/settings", nil)
	want := map[string]any{"self_registration": false, "self_registration_role": "guest", "password_min_length": float64(8),
		"session_ttl": "12h", "login_throttle_threshold": float64(5), "login_throttle_window": "15m", "version": float64(1), "updated_at": nil}
	for k, v := range want {
		if r.body[k] != v {
			t.Fatalf("default %s = %v, want %v: %s", k, r.body[k], v, r.raw)
		}
	}
	if r.header.Get("ETag") != `"1"` {
		t.Fatalf("ETag %q", r.header.Get("ETag"))
	}

	r = root.must(200, "PATCH", "/api/v1/settings", map[string]any{"self_registration": true, "self_registration_role": "auditor",
		"password_min_length": 12, "session_ttl": "90m", "login_throttle_threshold": 3, "login_throttle_window": "1h0m0s"}, "If-Match", `"1"`)
	if r.body["version"] != float64(2) || r.str("session_ttl") != "1h30m" || r.str("login_throttle_window") != "1h" ||
		r.str("self_registration_role") != "auditor" || r.str("updated_at") == "" {
		t.Fatalf("after PATCH: %s", r.raw)
	}
	if _, _, detail := lastAudit(t, s, "settings.update"); !strings.Contains(detail, "password_min_length 8 -> 12") {
		t.Fatalf("audit detail %q", detail)
	}
	// A stale If-Match is a 412; a PATCH that changes nothing keeps the version.
	root.must(412, "PATCH", "/api/v1/settings", map[string]any{"password_min_length": 10}, "If-Match", `"1"`)
	if r := root.must(200, "PATCH", "/api/v1/settings", map[string]any{"password_min_length": 12}); r.body["version"] != float64(2) {
		t.Fatalf("no-op PATCH moved the version: %s", r.raw)
	}
	// Stored in the database: a server on the same file sees them.
	if n := count(t, s, `SELECT password_min_length FROM server_settings`); n != 12 {
		t.Fatalf("stored password_min_length = %d", n)
	}

	// The password policy applies to every password set.
	r = root.must(400, "POST", "/api/v1/users", map[string]any{"username": "short", "email": "short@example.com", "password": "elevenchars"})
	if r.fieldErr("password") != "must be between 12 and 128 characters" {
		t.Fatalf("create with short password: %s", r.raw)
	}
	id, _ := mkUser(t, s, "longer-name", "guest") // "password-longer-name" has 20 characters
	r = root.must(400, "PUT", "/api/v1/users/"+id+"/password", map[string]any{"new_password": "elevenchars"})
	if r.fieldErr("new_password") == "" {
		t.Fatalf("reset with short password: %s", r.raw)
	}
	root.must(204, "PUT", "/api/v1/users/"+id+"/password", map[string]any{"new_password": "twelve-chars"})

	// DELETE restores the defaults as a new version.
	r = root.must(200, "DELETE", "/api/v1/settings", nil)
	if r.body["version"] != float64(3) || r.body["password_min_length"] != float64(8) || r.body["self_registration"] != false ||
		r.str("session_ttl") != "12h" || r.str("self_registration_role") != "guest" {
		t.Fatalf("after reset: %s", r.raw)
	}
}

func TestSettingsRefusals(t *testing.T) {
	s := testserver.Start(t)
	root := as(t, s, s.Token)
	_, auditor := mkUser(t, s, "audrey", "auditor")
	_, supervisor := mkUser(t, s, "sue", "supervisor")
	_, guest := mkUser(t, s, "gus", "guest")

	as(t, s, auditor).must(200, "GET", "/api/v1/settings", nil)
	r := as(t, s, guest).must(403, "GET", "/api/v1/settings", nil)
	if !strings.Contains(r.str("detail"), "cannot read the settings") {
		t.Fatalf("guest read: %s", r.raw)
	}
	r = as(t, s, supervisor).must(403, "PATCH", "/api/v1/settings", map[string]any{"self_registration": true})
	if !strings.Contains(r.str("detail"), "cannot change the settings: it needs level 1 or lower") {
		t.Fatalf("supervisor change: %s", r.raw)
	}
	as(t, s, supervisor).must(403, "DELETE", "/api/v1/settings", nil)
	if outcome, status, _ := lastAudit(t, s, "settings.update"); outcome != "denied" || status != 403 {
		t.Fatalf("refusal audited as %s %d", outcome, status)
	}

	// Never a self-registration role below level 100.
	r = root.must(403, "PATCH", "/api/v1/settings", map[string]any{"self_registration_role": "operator"})
	if !strings.Contains(r.str("detail"), "role operator (level 10) cannot be the self-registration role: it must have level 100 or higher") {
		t.Fatalf("operator as self-registration role: %s", r.raw)
	}
	r = root.must(400, "PATCH", "/api/v1/settings", map[string]any{"self_registration_role": "nosuchrole"})
	if r.fieldErr("self_registration_role") != `role "nosuchrole" does not exist` {
		t.Fatalf("unknown role: %s", r.raw)
	}
	for field, value := range map[string]any{
		"password_min_length": 7, "session_ttl": "1m", "login_throttle_threshold": 0, "login_throttle_window": "forever",
		"self_registration": "yes",
	} {
		r = root.must(400, "PATCH", "/api/v1/settings", map[string]any{field: value})
		if r.fieldErr(field) == "" {
			t.Fatalf("%s=%v: %s", field, value, r.raw)
		}
	}
	r = root.must(400, "PATCH", "/api/v1/settings", map[string]any{"session_ttl": "721h"})
	if r.fieldErr("session_ttl") != `must be a duration such as "15m" between 5m and 720h` {
		t.Fatalf("session_ttl message: %s", r.raw)
	}
	if n := count(t, s, `SELECT count(*) FROM server_settings`); n != 0 {
		t.Fatalf("refused changes were stored")
	}

	// The self-registration role is held on to: not deleted, not moved below 100.
	root.must(201, "POST", "/api/v1/roles", map[string]any{"name": "visitor", "level": 500})
	root.must(200, "PATCH", "/api/v1/settings", map[string]any{"self_registration_role": "visitor"})
	r = root.must(409, "DELETE", "/api/v1/roles/visitor", nil)
	if !strings.Contains(r.str("detail"), "self-registration role") {
		t.Fatalf("delete self-registration role: %s", r.raw)
	}
	r = root.must(409, "PATCH", "/api/v1/roles/visitor", map[string]any{"level": 50})
	if !strings.Contains(r.str("detail"), "must keep level 100 or higher") {
		t.Fatalf("move self-registration role: %s", r.raw)
	}
	root.must(200, "PATCH", "/api/v1/roles/visitor", map[string]any{"level": 100})
}
func TestSessionTTLFromSettings(t *testing.T) {
	s := testserver.Start(t)
	root := as(t, s, s.Token)
	root.must(200, "PATCH", "/api/v1/settings", map[string]any{"session_ttl": "10m"})
	mkUser(t, s, "tess", "guest")
	r := as(t, s, "").must(200, "POST", "/api/v1/login", map[string]string{"username": "tess", "password": "password-tess"})
	exp := r.str("expires_at")
	if exp == "" {
		t.Fatal("no expires_at")
	}
	at, err := time.Parse(time.RFC3339Nano, exp)
	if err != nil {
		t.Fatal(err)
	}
	left := time.Until(at).Seconds()
	if left < 9*60 || left > 10*60+5 {
		t.Fatalf("session lasts %.0fs, want about 600s", left)
	}
}
