package testserver_test

import (
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
