package testserver_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/seed/terraform-provider-identity/testserver"
)

// TestAttack_ClaimAnUnusedEmail: a user may not change its own email address
// (or it could claim any unused one, say an executive's before they join);
// a user administrator can.
func TestAttack_ClaimAnUnusedEmail(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	id, tok := mkUser(t, s, "mallory", "operator")
	self := as(t, s, tok)
	r := self.must(403, "PATCH", "/api/v1/users/"+id, map[string]any{"email": "ceo@example.com"})
	if r.str("detail") == "" {
		t.Fatalf("refusal without a reason: %s", r.raw)
	}
	if got := scalar(t, s, `SELECT email FROM users WHERE id = ?`, id); got != "mallory@example.com" {
		t.Fatalf("email stored: %s", got)
	}
	// The rest of one's profile, and the email unchanged, stay one's own.
	self.must(200, "PATCH", "/api/v1/users/"+id, map[string]any{"first_name": "Mal", "email": "mallory@example.com"})
	// A user administrator changes it.
	as(t, s, s.Token).must(200, "PATCH", "/api/v1/users/"+id, map[string]any{"email": "mallory@corp.example.com"})
	if got := scalar(t, s, `SELECT email FROM users WHERE id = ?`, id); got != "mallory@corp.example.com" {
		t.Fatalf("email after the administrator's change: %s", got)
	}
}

// TestAttack_LooseFieldNames: field names match exactly and once. Before,
// encoding/json matched "paſſword" (long s folds to s) and "PASSWORD" to
// password, and took the last of two "role" keys.
func TestAttack_LooseFieldNames(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	root := as(t, s, s.Token)
	cases := []struct{ name, body, field, message string }{
		{"Unicode case folding", `{"username":"u1","email":"u1@example.com","paſſword":"a-long-password"}`, "paſſword", "is not a known field"},
		{"upper case", `{"username":"u2","email":"u2@example.com","PASSWORD":"a-long-password"}`, "PASSWORD", "is not a known field"},
		{"a duplicate key", `{"username":"u3","email":"u3@example.com","role":"guest","role":"sudo"}`, "role", "appears more than once"},
		{"a duplicate nested key", `{"username":"u4","email":"u4@example.com","attributes":{"team":"a","team":"b"}}`, "attributes.team", "appears more than once"},
	}
	for _, tc := range cases {
		r := root.must(400, "POST", "/api/v1/users", tc.body)
		if msg := r.fieldErr(tc.field); !strings.Contains(msg, tc.message) {
			t.Errorf("%s: errors %s, want %q on %q", tc.name, r.raw, tc.message, tc.field)
		}
	}
	if n := count(t, s, `SELECT count(*) FROM users WHERE username LIKE 'u_'`); n != 0 {
		t.Fatalf("%d users created from refused bodies", n)
	}
	id, tok := mkUser(t, s, "pat", "guest")
	as(t, s, tok).must(400, "PUT", "/api/v1/users/"+id+"/password", `{"new_password":"x-long-password","New_Password":"y-long-password","current_password":"password-pat"}`)
	as(t, s, "").must(400, "POST", "/api/v1/login", `{"username":"pat","password":"wrong","password":"password-pat"}`)
}

// TestAttack_UnicodeCaseTwins: email addresses and organizations are
// compared in Unicode normal form with their case folded (group names too,
// though their pattern allows ASCII only). Before, only ASCII case folded:
// "äDMIN@" and "ÄDMIN@" were two accounts.
func TestAttack_UnicodeCaseTwins(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	root := as(t, s, s.Token)
	root.must(201, "POST", "/api/v1/users", map[string]any{"username": "admin1", "email": "äDMIN@example.com", "organization": "École"})
	for i, twin := range []string{"ÄDMIN@example.com", "a\u0308dmin@EXAMPLE.com"} {
		r := root.must(409, "POST", "/api/v1/users", map[string]any{"username": fmt.Sprintf("admin-twin-%d", i), "email": twin})
		if r.fieldErr("email") == "" {
			t.Errorf("%q: conflict without the email field: %s", twin, r.raw)
		}
	}
	if n := len(root.must(200, "GET", "/api/v1/users?email="+url.QueryEscape("ÄDMIN@EXAMPLE.COM")+"&organization="+url.QueryEscape("ÉCOLE"), nil).items()); n != 1 {
		t.Errorf("filter by the folded address and organization: %d users, want 1", n)
	}
}
