package reliability

import (
	"bytes"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed/terraform-provider-identity/testserver"
)

// TestFaults_RefreshErrorsKeepState: with every object applied, the server
// (through a proxy) starts answering every request with 401, then with 500.
// A refresh must fail with an error that quotes the status, and the state
// file must come out byte for byte unchanged: an error is never taken to
// mean "deleted". When the server answers again, the plan is empty.
func TestFaults_RefreshErrorsKeepState(t *testing.T) {
	f := newTF(t)
	s := testserver.Start(t)
	var mode atomic.Int64
	proxy := newCountingProxy(t, s.URL, func(w http.ResponseWriter, r *http.Request) bool {
		m := mode.Load()
		if m == 0 {
			return false
		}
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(int(m))
		fmt.Fprintf(w, `{"type":"https://identity.example/problems/x","title":"%s","status":%d,"detail":"injected"}`, http.StatusText(int(m)), m)
		return true
	})
	f.write(fmt.Sprintf("provider \"identity\" {\n  endpoint    = %q\n  token       = %q\n  max_retries = 1\n}\n", proxy.URL, s.Token) + `
resource "identity_role" "r" {
  name  = "refresher"
  level = 40
}
resource "identity_user" "u" {
  count    = 3
  username = "refresh-${count.index}"
  email    = "refresh-${count.index}@example.com"
  role     = identity_role.r.name
}
resource "identity_group" "g" {
  name = "Refreshers"
}
resource "identity_group_members" "m" {
  group_id = identity_group.g.id
  user_ids = identity_user.u[*].id
}
resource "identity_group_membership" "one" {
  group_id = identity_group.g.id
  user_id  = identity_user.u[0].id
}
resource "identity_permission" "p" {
  operation = "VIEW_PROJECT"
  scope     = "project:refresh"
  group_id  = identity_group.g.id
}
resource "identity_third_party_token" "t" {
  role = identity_role.r.name
}
`)
	f.must(3*time.Minute, "apply", "-auto-approve", "-input=false", "-no-color")
	statePath := filepath.Join(f.dir, "terraform.tfstate")
	before := mustRead(t, statePath)

	for _, status := range []int{http.StatusUnauthorized, http.StatusInternalServerError} {
		mode.Store(int64(status))
		for _, args := range [][]string{
			{"apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color"},
			{"plan", "-input=false", "-no-color"},
		} {
			out, errOut, err := f.run(3*time.Minute, args...)
			if err == nil {
				t.Errorf("%d: terraform %s succeeded:\n%s", status, args[0], tail(out, 2000))
			}
			if !strings.Contains(errOut, fmt.Sprint(status)) {
				t.Errorf("%d: terraform %s error does not quote the status:\n%s", status, args[0], tail(errOut, 2000))
			}
			if after := mustRead(t, statePath); !bytes.Equal(before, after) {
				t.Errorf("%d: terraform %s changed the state file", status, args[0])
			}
		}
	}
	mode.Store(0)
	if empty, out := f.planIsEmpty(3 * time.Minute); !empty {
		t.Errorf("plan once the server answers again is not empty:\n%s", tail(out, 3000))
	}
}
