package tokens

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestSignAndParse(t *testing.T) {
	key := []byte(strings.Repeat("k", 32))
	ring, err := NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewKeyring([]byte(strings.Repeat("x", 32)))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	exp := now.Add(time.Hour)
	tok, err := ring.Sign("id-1", "operator", now, &exp)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ring.Parse(tok, now)
	if err != nil || c.ID != "id-1" || c.Role != "operator" || c.Issuer != Issuer {
		t.Fatalf("%+v %v", c, err)
	}
	if _, err := ring.Parse(tok, now.Add(2*time.Hour)); err == nil {
		t.Fatal("expired token accepted")
	}
	if _, err := other.Parse(tok, now); err == nil {
		t.Fatal("wrong key accepted")
	}
	claims := Claims{Role: "sudo", RegisteredClaims: jwt.RegisteredClaims{ID: "id-1", Issuer: Issuer, IssuedAt: jwt.NewNumericDate(now)}}
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims).SignedString(jwt.UnsafeAllowNoneSignatureType)
	hs384, _ := jwt.NewWithClaims(jwt.SigningMethodHS384, claims).SignedString(key)
	noIssuer, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, Claims{Role: "sudo", RegisteredClaims: jwt.RegisteredClaims{ID: "x"}}).SignedString(key)
	for name, bad := range map[string]string{"none": none, "HS384": hs384, "no issuer": noIssuer} {
		if _, err := ring.Parse(bad, now); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func TestSessionTokens(t *testing.T) {
	a, _ := NewSessionToken()
	b, _ := NewSessionToken()
	if a == b || len(a) < 40 || LooksLikeJWT(a) || strings.Contains(HashSessionToken(a), a) || len(HashSessionToken(a)) != 64 {
		t.Fatalf("session tokens %q %q", a, b)
	}
}

// TestKeyringRotation: a token signed with a previous key verifies while
// that key is listed; without kid only the current key is tried; an unknown
// kid is refused even when the signature is the current key's.
func TestKeyringRotation(t *testing.T) {
	oldKey, newKey := []byte(strings.Repeat("o", 32)), []byte(strings.Repeat("n", 32))
	before, _ := NewKeyring(oldKey)
	after, _ := NewKeyring(newKey, oldKey)
	alone, _ := NewKeyring(newKey)
	now := time.Now()
	tok, err := before.Sign("id-1", "guest", now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := after.Parse(tok, now); err != nil {
		t.Errorf("a token of the previous key is refused: %v", err)
	}
	if _, err := alone.Parse(tok, now); err == nil {
		t.Error("a token of a key no longer listed is accepted")
	}
	claims := Claims{RegisteredClaims: jwt.RegisteredClaims{ID: "id-2", Issuer: Issuer, IssuedAt: jwt.NewNumericDate(now)}}
	noKid, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(newKey)
	if _, err := after.Parse(noKid, now); err != nil {
		t.Errorf("a token without kid, signed with the current key, is refused: %v", err)
	}
	oldNoKid, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(oldKey)
	if _, err := after.Parse(oldNoKid, now); err == nil {
		t.Error("a token without kid is checked with a previous key")
	}
	unknown := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	unknown.Header["kid"] = "0123456789abcdef"
	s, _ := unknown.SignedString(newKey)
	if _, err := after.Parse(s, now); err == nil {
		t.Error("a token with an unknown kid is accepted")
	}
	if _, err := NewKeyring(newKey, []byte("short")); err == nil {
		t.Error("a short previous key is accepted")
	}
}
