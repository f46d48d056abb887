// Package tokens mints and checks the server's credentials: opaque login
// session tokens (only their SHA-256 is stored) and HS256 third-party JWTs.
package tokens

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Issuer is the iss claim of every third-party token.
const Issuer = "identity-server"

// NewSessionToken returns a fresh random session token (256 bits).
func NewSessionToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// HashSessionToken returns the stored form of a session token.
func HashSessionToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// NewSigningKey returns a random 256-bit HS256 key, hex encoded.
func NewSigningKey() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// LooksLikeJWT reports whether a credential has the three-part JWT shape;
// session tokens never contain a dot.
func LooksLikeJWT(tok string) bool {
	return strings.Count(tok, ".") == 2
}

// Claims are the claims of a third-party token.
type Claims struct {
	Role string `json:"role"`
	jwt.RegisteredClaims
}

// Sign mints a third-party token.
func Sign(key []byte, id, role string, issuedAt time.Time, expiresAt *time.Time) (string, error) {
	c := Claims{Role: role, RegisteredClaims: jwt.RegisteredClaims{
		ID:       id,
		Issuer:   Issuer,
		IssuedAt: jwt.NewNumericDate(issuedAt),
	}}
	if expiresAt != nil {
		c.ExpiresAt = jwt.NewNumericDate(*expiresAt)
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(key)
}

// ErrInvalid is returned for any token that fails verification.
var ErrInvalid = errors.New("invalid token")

// Parse verifies a third-party token's signature (HS256 only), issuer and
// expiry and returns its claims. Revocation is the caller's job.
func Parse(key []byte, tok string, now time.Time) (*Claims, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(tok, &c, func(*jwt.Token) (any, error) { return key, nil },
		jwt.WithValidMethods([]string{"HS256"}),
		jwt.WithIssuer(Issuer),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(5*time.Second),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	if err != nil || c.ID == "" {
		return nil, ErrInvalid
	}
	return &c, nil
}
