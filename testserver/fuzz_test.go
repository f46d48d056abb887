package testserver_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/seed/terraform-provider-identity/testserver"
)

// FuzzRequestDecoding sends arbitrary bodies to every JSON-taking endpoint
// through the real handler: it must never panic and never answer 500, and
// every error must be a problem document.
func FuzzRequestDecoding(f *testing.F) {
	seeds := []string{
		`{"username":"fz","email":"fz@example.com","password":"fuzz-password"}`,
		`{"username":"system","password":"x"}`,
		`{"name":"fz","level":5,"description":"d"}`,
		`{"name":"G","organization":"O"}`,
		`{"operation":"VIEW_PROJECT","scope":"project:web","role":"guest"}`,
		`{"operation":"ADMIN_TENANT","scope":"tenant:","role":"guest"}`,
		`{"role":"operator","expires_at":"2999-01-01T00:00:00Z"}`,
		`{"user_ids":["00000000-0000-0000-0000-000000000000"]}`,
		`{"new_password":"new-password","current_password":null}`,
		`{"attributes":{"k":"v"},"disabled":true,"role":"admin"}`,
		`{"level":-1}`, `{"level":1e400}`, `{"level":"1"}`, `[]`, `null`, `"x"`, `{}{}`, `{"a":`, "\x00", `{"email":"\ud800@x.com"}`,
	}
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	s := testserver.Start(f)
	h := s.Handler()
	req := func(method, path, token string, body []byte) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, bytes.NewReader(body))
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	w := req("POST", "/api/v1/users", s.Token, []byte(`{"username":"target","email":"target@example.com"}`))
	var u map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &u)
	uid, _ := u["id"].(string)
	w = req("POST", "/api/v1/groups", s.Token, []byte(`{"name":"Target"}`))
	var g map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &g)
	gid, _ := g["id"].(string)
	if uid == "" || gid == "" {
		f.Fatal("fixtures not created")
	}
	endpoints := []struct{ method, path string }{
		{"POST", "/api/v1/login"},
		{"POST", "/api/v1/users"},
		{"PATCH", "/api/v1/users/" + uid},
		{"PUT", "/api/v1/users/" + uid + "/password"},
		{"POST", "/api/v1/roles"},
		{"PATCH", "/api/v1/roles/guest"},
		{"POST", "/api/v1/groups"},
		{"PATCH", "/api/v1/groups/" + gid},
		{"PUT", "/api/v1/groups/" + gid + "/members"},
		{"POST", "/api/v1/permissions"},
		{"POST", "/api/v1/tokens"},
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		e := endpoints[int(which)%len(endpoints)]
		w := req(e.method, e.path, s.Token, body)
		if w.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s", e.method, e.path, body, w.Code, w.Body.Bytes())
		}
		if w.Code >= 400 && w.Header().Get("Content-Type") != "application/problem+json" {
			t.Fatalf("%s %s: error without problem document: %d", e.method, e.path, w.Code)
		}
		if w.Code != http.StatusNoContent && !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s %s: invalid JSON response %q", e.method, e.path, w.Body.Bytes())
		}
	})
}
