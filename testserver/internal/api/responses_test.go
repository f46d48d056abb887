package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/seed/terraform-provider-identity/testserver/internal/store"
)

// TestResponses_WireShape pins the JSON of users, tokens and sessions byte
// for byte (API.md; the provider decodes it), and shows that what the store
// holds beyond it, the password hash above all, is not sent.
func TestResponses_WireShape(t *testing.T) {
	exp := "2027-01-01T00:00:00Z"
	seen := "2026-03-01T10:00:00.000000000Z"
	u := store.User{ID: "u1", Username: "alice", Email: "alice@example.com", FirstName: "Alice", LastName: "Liddell",
		Organization: "Wonderland", Role: "guest", Disabled: true, Attributes: map[string]string{"team": "blue"},
		CreatedAt: "c", UpdatedAt: "u", Version: 3, LastLoginAt: &seen, Level: 256, System: true, PasswordHash: "$argon2id$secret-hash"}
	tok := store.Token{ID: "t1", Role: "operator", Description: "CI", ExpiresAt: &exp, CreatedAt: "c", CreatedBy: "u1", Version: 1, LastUsedAt: &seen, Level: 10}
	const user = `{"id":"u1","username":"alice","email":"alice@example.com","first_name":"Alice","last_name":"Liddell",` +
		`"organization":"Wonderland","role":"guest","disabled":true,"attributes":{"team":"blue"},"created_at":"c","updated_at":"u","version":3,"last_login_at":"2026-03-01T10:00:00.000000000Z"}`
	const token = `{"id":"t1","role":"operator","description":"CI","expires_at":"2027-01-01T00:00:00Z","created_at":"c","created_by":"u1","version":1,"last_used_at":"2026-03-01T10:00:00.000000000Z"`

	uo, to := userOut(u), tokenOut(tok)
	for _, tc := range []struct {
		name string
		v    any
		want string
	}{
		{"user", uo, user},
		{"token", to, token + `}`},
		{"token without expiry", tokenOut(store.Token{ID: "t2"}), `{"id":"t2","role":"","description":"","expires_at":null,"created_at":"","created_by":"","version":0,"last_used_at":null}`},
		{"created token", createdToken{tokenResponse: to, Secret: "jwt"}, token + `,"token":"jwt"}`},
		{"login", loginResponse{Token: "s", ExpiresAt: "e", User: uo}, `{"token":"s","expires_at":"e","user":` + user + `}`},
		{"me as a user", meResponse{Kind: "user", Role: "guest", Level: 256, User: &uo}, `{"kind":"user","role":"guest","level":256,"user":` + user + `}`},
		{"me as a token", meResponse{Kind: "token", Role: "operator", Level: 10, Token: &to}, `{"kind":"token","role":"operator","level":10,"token":` + token + `}}`},
		{"a list of users", list[userResponse]{Items: mapAll([]store.User{u}, userOut), NextCursor: ""}, `{"items":[` + user + `],"next_cursor":""}`},
	} {
		b, err := json.Marshal(tc.v)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, b, tc.want)
		}
		if strings.Contains(string(b), "secret-hash") {
			t.Errorf("%s: a stored-only field reached the wire: %s", tc.name, b)
		}
	}
}
