package testserver_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/seed/terraform-provider-identity/testserver"
)

// dbBytes is everything the database keeps on disk: the file, its WAL and
// its shared-memory index.
func dbBytes(t *testing.T, path string) []byte {
	t.Helper()
	var all []byte
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// kid returns the kid header of a JWT.
func kid(t *testing.T, tok string) string {
	t.Helper()
	head, _, _ := strings.Cut(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	s, _ := h["kid"].(string)
	return s
}

// TestKeys_FilesOwnerOnlyAndKeyOutOfTheDatabase: the database, its -wal and
// -shm files and the generated key file are 0600, even where a database file
// was left world-readable, and the key is nowhere in the database's bytes:
// reading the database no longer lets anyone forge a token.
func TestKeys_FilesOwnerOnlyAndKeyOutOfTheDatabase(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "identity.db")
	for i, fresh := range []bool{true, false} {
		if !fresh {
			// A database an older server left world-readable.
			if err := os.Chmod(path, 0o644); err != nil { //nolint:gosec // on purpose
				t.Fatal(err)
			}
		}
		s := testserver.Start(t, testserver.Options{DBPath: path})
		sys := as(t, s, s.Token)
		name := fmt.Sprintf("user-%d", i)
		sys.must(201, "POST", "/api/v1/users", map[string]any{"username": name, "email": name + "@example.com"})
		sys.must(201, "POST", "/api/v1/tokens", map[string]any{"role": "guest"})
		keyFile := testserver.KeyFilePath(path)
		for _, p := range []string{path, path + "-wal", path + "-shm", keyFile} {
			if m := mode(t, p); m != 0o600 {
				t.Errorf("fresh=%v: %s has mode %o, want 600", fresh, filepath.Base(p), m)
			}
		}
		key, err := os.ReadFile(keyFile)
		if err != nil {
			t.Fatal(err)
		}
		if k := bytes.TrimSpace(key); len(k) < 32 || bytes.Contains(dbBytes(t, path), k) {
			t.Errorf("fresh=%v: the signing key (%d bytes) is in the database files", fresh, len(k))
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestKeys_OldDatabaseKeyMovesOut: a key an older server kept in the database
// moves to the key file on start and is scrubbed from the database's bytes;
// tokens it signed still work.
func TestKeys_OldDatabaseKeyMovesOut(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "identity.db")
	password := "the-superuser-password"
	s := testserver.Start(t, testserver.Options{DBPath: path, SuperuserPassword: password})
	tok := as(t, s, s.Token).must(201, "POST", "/api/v1/tokens", map[string]any{"role": "auditor"}).str("token")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Put the key back where an older server kept it.
	keyFile := testserver.KeyFilePath(path)
	key, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	key = bytes.TrimSpace(key)
	d := db(t, s)
	if _, err := d.Exec(`INSERT INTO settings(key, value) VALUES ('signing_key', ?)`, string(key)); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(dbBytes(t, path), key) {
		t.Fatal("setup: the key is not in the database files")
	}

	s2 := testserver.Start(t, testserver.Options{DBPath: path, SuperuserPassword: password})
	as(t, s2, tok).must(200, "GET", "/api/v1/me", nil)
	moved, err := os.ReadFile(keyFile)
	if err != nil || !bytes.Equal(bytes.TrimSpace(moved), key) || mode(t, keyFile) != 0o600 {
		t.Fatalf("key file after the move: %v, mode %o, same key %v", err, mode(t, keyFile), bytes.Equal(bytes.TrimSpace(moved), key))
	}
	if n := count(t, s2, `SELECT count(*) FROM settings WHERE key = 'signing_key'`); n != 0 {
		t.Fatal("the key is still a setting")
	}
	if bytes.Contains(dbBytes(t, path), key) {
		t.Fatal("the key's bytes are still in the database files")
	}
}

// TestKeys_RotationWithPreviousKey: after rotating the signing key, tokens
// signed with the previous key verify while it is configured as previous,
// and stop once it is dropped; new tokens name the new key in kid; a token
// whose kid names no configured key is refused even when the current key
// signed it.
func TestKeys_RotationWithPreviousKey(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "identity.db")
	password := "the-superuser-password"
	oldKey, newKey := strings.Repeat("o", 40), strings.Repeat("n", 40)
	start := func(current, previous string) *testserver.Server {
		return testserver.Start(t, testserver.Options{DBPath: path, SuperuserPassword: password, SigningKey: current, PreviousSigningKey: previous})
	}
	s := start(oldKey, "")
	before := as(t, s, s.Token).must(201, "POST", "/api/v1/tokens", map[string]any{"role": "auditor"})
	oldTok := before.str("token")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = start(newKey, oldKey)
	as(t, s, oldTok).must(200, "GET", "/api/v1/me", nil)
	after := as(t, s, s.Token).must(201, "POST", "/api/v1/tokens", map[string]any{"role": "auditor"})
	newTok := after.str("token")
	as(t, s, newTok).must(200, "GET", "/api/v1/me", nil)
	if k1, k2 := kid(t, oldTok), kid(t, newTok); k1 == "" || k2 == "" || k1 == k2 {
		t.Fatalf("kid of the old token %q, of the new %q: want two different names", k1, k2)
	}
	// The new key's signature under a kid the server does not know.
	forged := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"jti": after.str("id"), "iss": "identity-server", "iat": time.Now().Unix(), "role": "auditor",
	})
	forged.Header["kid"] = "0000000000000000"
	forgedTok, err := forged.SignedString([]byte(newKey))
	if err != nil {
		t.Fatal(err)
	}
	as(t, s, forgedTok).must(401, "GET", "/api/v1/me", nil)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = start(newKey, "")
	as(t, s, oldTok).must(401, "GET", "/api/v1/me", nil)
	as(t, s, newTok).must(200, "GET", "/api/v1/me", nil)
}
