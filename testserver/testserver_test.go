package testserver_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/seed/terraform-provider-identity/testserver"
)

func call(t *testing.T, s *testserver.Server, method, path, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]any{}
	raw, _ := io.ReadAll(resp.Body)
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode, out
}

func TestStartLoginUsersRoles(t *testing.T) {
	s := testserver.Start(t)
	if st, _ := call(t, s, "GET", "/healthz", "", nil); st != 200 {
		t.Fatalf("healthz %d", st)
	}
	st, me := call(t, s, "GET", "/api/v1/me", s.Token, nil)
	if st != 200 || me["role"] != "sudo" || me["kind"] != "user" {
		t.Fatalf("me %d %v", st, me)
	}
	st, login := call(t, s, "POST", "/api/v1/login", "", map[string]string{"username": "SYSTEM", "password": s.SuperuserPassword})
	if st != 200 || login["token"] == "" {
		t.Fatalf("login %d %v", st, login)
	}
	st, role := call(t, s, "POST", "/api/v1/roles", s.Token, map[string]any{"name": "deployer", "level": 50})
	if st != 201 || role["level"] != float64(50) {
		t.Fatalf("role %d %v", st, role)
	}
	st, u := call(t, s, "POST", "/api/v1/users", s.Token, map[string]any{"username": "alice", "email": "alice@example.com", "role": "deployer", "password": "correct horse"})
	if st != 201 || u["role"] != "deployer" {
		t.Fatalf("user %d %v", st, u)
	}
	st, l := call(t, s, "GET", "/api/v1/users?email=ALICE@example.com", s.Token, nil)
	if st != 200 || len(fmt.Sprint(l["items"])) < 3 {
		t.Fatalf("list %d %v", st, l)
	}
	st, login = call(t, s, "POST", "/api/v1/login", "", map[string]string{"username": "alice", "password": "correct horse"})
	if st != 200 {
		t.Fatalf("alice login %d %v", st, login)
	}
}
