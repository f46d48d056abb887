package testserver_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seed/terraform-provider-identity/testserver"
)

// halfSent is a request whose headers and first half of the body are on the
// wire, as an attacker with a slow connection would leave it.
type halfSent struct {
	t    *testing.T
	conn net.Conn
	br   *bufio.Reader
	rest []byte
}

// sendHalf writes the headers of a request with Expect: 100-continue on a raw
// connection, waits for the server's 100 Continue (sent when the handler
// starts reading the body, so the credential has been checked by then), and
// writes half of the body.
func sendHalf(t *testing.T, s *testserver.Server, method, path, token string, body any) *halfSent {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	if err := conn.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	head := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n"+
		"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n", method, path, s.Addr(), token, len(b))
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	cont, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(cont.Body)
	_ = cont.Body.Close()
	if cont.StatusCode != http.StatusContinue {
		t.Fatalf("%s %s: status %d before the body, want 100: %s", method, path, cont.StatusCode, raw)
	}
	half := len(b) / 2
	if _, err := conn.Write(b[:half]); err != nil {
		t.Fatal(err)
	}
	return &halfSent{t: t, conn: conn, br: br, rest: b[half:]}
}

// finish sends the rest of the body and returns the answer.
func (h *halfSent) finish() (int, string) {
	h.t.Helper()
	if _, err := h.conn.Write(h.rest); err != nil {
		h.t.Fatal(err)
	}
	return h.answer()
}

func (h *halfSent) answer() (int, string) {
	h.t.Helper()
	r, err := http.ReadResponse(h.br, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	defer r.Body.Close()
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return r.StatusCode, string(raw)
}

// TestMidRequest_CallerChangesWhileTheBodyArrives: a write is decided on the
// caller as it is when the change is made, not as it was when the headers
// arrived. A supervisor disabled, deleted, demoted or logged out, or a sudo
// token revoked, while its request body trickles in gets nothing through.
func TestMidRequest_CallerChangesWhileTheBodyArrives(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	sys := as(t, s, s.Token)

	userCases := []struct {
		name   string
		status int
		act    func(id, token string)
	}{
		{"disabled", 401, func(id, _ string) {
			sys.must(200, "PATCH", "/api/v1/users/"+id, map[string]any{"disabled": true})
		}},
		{"deleted", 401, func(id, _ string) { sys.must(204, "DELETE", "/api/v1/users/"+id, nil) }},
		{"demoted", 403, func(id, _ string) {
			sys.must(200, "PATCH", "/api/v1/users/"+id, map[string]any{"role": "guest"})
		}},
		{"logged out", 401, func(_, token string) { as(t, s, token).must(204, "POST", "/api/v1/logout", nil) }},
	}
	for _, tc := range userCases {
		caller := "sup-" + strings.ReplaceAll(tc.name, " ", "-")
		id, token := mkUser(t, s, caller, "supervisor")
		victim := "new-" + caller
		req := sendHalf(t, s, "POST", "/api/v1/users", token, map[string]any{"username": victim, "email": victim + "@example.com"})
		tc.act(id, token)
		status, body := req.finish()
		if status != tc.status {
			t.Errorf("supervisor %s mid-request: status %d, want %d: %s", tc.name, status, tc.status, body)
		}
		if n := count(t, s, `SELECT count(*) FROM users WHERE username = ?`, victim); n != 0 {
			t.Errorf("supervisor %s mid-request: the user was created", tc.name)
		}
		if n := count(t, s, `SELECT count(*) FROM audit WHERE action = 'user.create' AND actor = ? AND status = ? AND outcome != 'success'`,
			caller, tc.status); n != 1 {
			t.Errorf("supervisor %s mid-request: %d refusal audit records, want 1", tc.name, n)
		}
	}

	// A sudo token revoked mid-request mints nothing.
	tok := sys.must(201, "POST", "/api/v1/tokens", map[string]any{"role": "sudo", "description": "soon revoked"})
	req := sendHalf(t, s, "POST", "/api/v1/tokens", tok.str("token"), map[string]any{"role": "sudo", "description": "minted by a revoked token"})
	sys.must(204, "DELETE", "/api/v1/tokens/"+tok.str("id"), nil)
	if status, body := req.finish(); status != 401 {
		t.Errorf("sudo token revoked mid-request: status %d, want 401: %s", status, body)
	}
	if n := count(t, s, `SELECT count(*) FROM tokens WHERE description = 'minted by a revoked token'`); n != 0 {
		t.Error("a token revoked mid-request minted a new token")
	}
}

// TestMidRequest_StalledBodyTimesOut: a body that stops arriving is given up
// on after the read timeout, not held open for minutes, and changes nothing.
func TestMidRequest_StalledBodyTimesOut(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Options{ReadTimeout: 300 * time.Millisecond})
	start := time.Now()
	req := sendHalf(t, s, "POST", "/api/v1/users", s.Token, map[string]any{"username": "stalled", "email": "stalled@example.com"})
	// The rest never comes: the server gives up on it with a 408.
	if status, body := req.answer(); status != http.StatusRequestTimeout {
		t.Errorf("stalled body: status %d, want 408: %s", status, body)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("stalled body held for %s", d)
	}
	if n := count(t, s, `SELECT count(*) FROM users WHERE username = 'stalled'`); n != 0 {
		t.Error("a stalled request created its user")
	}
}
