package tokens

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestSignAndParse(t *testing.T) {
	key := []byte(strings.Repeat("k", 32))
	now := time.Now()
	exp := now.Add(time.Hour)
	tok, err := Sign(key, "id-1", "operator", now, &exp)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(key, tok, now)
	if err != nil || c.ID != "id-1" || c.Role != "operator" || c.Issuer != Issuer {
		t.Fatalf("%+v %v", c, err)
	}
	if _, err := Parse(key, tok, now.Add(2*time.Hour)); err == nil {
		t.Fatal("expired token accepted")
	}
	if _, err := Parse([]byte(strings.Repeat("x", 32)), tok, now); err == nil {
		t.Fatal("wrong key accepted")
	}
	claims := Claims{Role: "sudo", RegisteredClaims: jwt.RegisteredClaims{ID: "id-1", Issuer: Issuer, IssuedAt: jwt.NewNumericDate(now)}}
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims).SignedString(jwt.UnsafeAllowNoneSignatureType)
	hs384, _ := jwt.NewWithClaims(jwt.SigningMethodHS384, claims).SignedString(key)
	noIssuer, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, Claims{Role: "sudo", RegisteredClaims: jwt.RegisteredClaims{ID: "x"}}).SignedString(key)
	for name, bad := range map[string]string{"none": none, "HS384": hs384, "no issuer": noIssuer} {
		if _, err := Parse(key, bad, now); err == nil {
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
