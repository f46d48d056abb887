package testserver_test

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
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
	if n := count(t, s, `SELECT count(*) FROM users WHERE length(username) = 2 AND lower(substr(username, 1, 1)) = 'u'`); n != 0 {
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

// TestAttack_RefusalsDoNotGrowTheAuditLog: a guest repeating a refused write
// 1,000 times leaves a bounded number of audit rows whose counts add up to
// the 1,000 refusals. Before, each refusal was its own row.
func TestAttack_RefusalsDoNotGrowTheAuditLog(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	guestID, tok := mkUser(t, s, "noisy", "guest")
	guest := as(t, s, tok)
	const n = 1000
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < n; i += 8 {
				guest.must(403, "POST", "/api/v1/users", map[string]any{"username": fmt.Sprintf("spam-%d", i), "email": fmt.Sprintf("spam-%d@example.com", i)})
			}
		})
	}
	wg.Wait()
	rows := count(t, s, `SELECT count(*) FROM audit WHERE actor_id = ? AND action = 'user.create'`, guestID)
	total := count(t, s, `SELECT coalesce(sum(count), 0) FROM audit WHERE actor_id = ? AND action = 'user.create' AND outcome = 'denied' AND status = 403`, guestID)
	if rows < 1 || rows > 3 || total != n {
		t.Fatalf("%d audit rows counting %d refusals, want at most 3 rows counting %d", rows, total, n)
	}
	// The log shows the aggregate: how many, and when the last came.
	items := as(t, s, s.Token).must(200, "GET", "/api/v1/audit?actor=noisy&action=user.create", nil).items()
	if len(items) != rows || items[len(items)-1]["last_at"] == "" || items[0]["count"] == nil {
		t.Fatalf("audit list %v", items)
	}
	// A different refusal is its own row.
	guest.must(403, "DELETE", "/api/v1/users/"+s.SystemUserID, nil)
	if c := count(t, s, `SELECT count FROM audit WHERE actor_id = ? AND action = 'user.delete'`, guestID); c != 1 {
		t.Fatalf("a new kind of refusal counts %d, want its own row of 1", c)
	}
}

// TestAttack_TokensOfADepartedCreator: tokens record who created them and
// can be listed by creator; deleting a user revokes the tokens it created,
// and the tokens those created. Before, a departed sudo's tokens lived on.
func TestAttack_TokensOfADepartedCreator(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	root := as(t, s, s.Token)
	opsID, opsTok := mkUser(t, s, "ops", "sudo")
	ops := as(t, s, opsTok)
	first := ops.must(201, "POST", "/api/v1/tokens", map[string]any{"role": "sudo", "description": "made by ops"})
	if first.str("created_by") != opsID {
		t.Fatalf("created_by = %q, want %s", first.str("created_by"), opsID)
	}
	second := as(t, s, first.str("token")).must(201, "POST", "/api/v1/tokens", map[string]any{"role": "auditor"})
	kept := root.must(201, "POST", "/api/v1/tokens", map[string]any{"role": "auditor"})

	byOps := root.must(200, "GET", "/api/v1/tokens?created_by="+opsID, nil).items()
	if len(byOps) != 1 || byOps[0]["id"] != first.str("id") || byOps[0]["created_by"] != opsID {
		t.Fatalf("tokens created by ops: %v", byOps)
	}
	byToken := root.must(200, "GET", "/api/v1/tokens?created_by="+first.str("id"), nil).items()
	if len(byToken) != 1 || byToken[0]["id"] != second.str("id") {
		t.Fatalf("tokens created by ops's token: %v", byToken)
	}
	root.must(400, "GET", "/api/v1/tokens?created_by=ops", nil)

	root.must(204, "DELETE", "/api/v1/users/"+opsID, nil)
	as(t, s, first.str("token")).must(401, "GET", "/api/v1/me", nil)
	as(t, s, second.str("token")).must(401, "GET", "/api/v1/me", nil)
	root.must(404, "GET", "/api/v1/tokens/"+first.str("id"), nil)
	as(t, s, kept.str("token")).must(200, "GET", "/api/v1/me", nil)
}
