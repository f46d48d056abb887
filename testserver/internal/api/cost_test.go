package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A request's cost in statements: authenticating a session or a third-party
// token is one indexed read, so reading a user is two (the credential, the
// user) and writes nothing.
func TestRequestCost_AuthenticationIsOneRead(t *testing.T) {
	a, session := newTestAPI(t)
	h := a.Handler()
	send := func(method, path, cred, body string) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+cred)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code/100 != 2 {
			t.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
		}
		return rec
	}
	var u struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(send("POST", "/api/v1/users", session, `{"username":"ann","email":"ann@example.com"}`).Body.Bytes(), &u); err != nil {
		t.Fatal(err)
	}
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(send("POST", "/api/v1/tokens", session, `{"role":"admin"}`).Body.Bytes(), &tok); err != nil {
		t.Fatal(err)
	}
	// The token's first use records it (at most once a minute).
	send("GET", "/api/v1/users/"+u.ID, tok.Token, "")

	for _, c := range []struct{ name, cred string }{{"session", session}, {"token", tok.Token}} {
		r0, w0 := a.st.Statements()
		send("GET", "/api/v1/users/"+u.ID, c.cred, "")
		r1, w1 := a.st.Statements()
		if r1-r0 != 2 || w1-w0 != 0 {
			t.Errorf("%s: GET /users/{id} ran %d reads and %d writes, want 2 and 0", c.name, r1-r0, w1-w0)
		}
	}
}

// Requests reuse the statements their connection prepared: a burst of reads
// prepares nothing new once the first has run.
func TestRequestCost_StatementsStayPrepared(t *testing.T) {
	a, session := newTestAPI(t)
	h := a.Handler()
	get := func() {
		req := httptest.NewRequest("GET", "/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+session)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /me: %d %s", rec.Code, rec.Body)
		}
	}
	get()
	before := a.st.Prepared()
	for range 50 {
		get()
	}
	if after := a.st.Prepared(); after != before {
		t.Fatalf("50 more requests prepared %d statements, want none", after-before)
	}
}
