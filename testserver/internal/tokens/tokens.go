// Package tokens mints and checks the server's credentials: opaque login
// session tokens (only their SHA-256 is stored) and HS256 third-party JWTs.
package tokens

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
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

// KeyID names a signing key in the kid header of the tokens it signs: an
// HMAC of a fixed label under the key, so the name reveals nothing of it.
func KeyID(secret []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("identity-server signing key id"))
	return hex.EncodeToString(m.Sum(nil)[:8])
}

// MinKeyLength is the shortest signing key accepted, in bytes.
const MinKeyLength = 32

// Keyring holds the key that signs new tokens and the previous keys that
// still verify tokens signed before a rotation.
type Keyring struct {
	currentID string
	keys      map[string][]byte
}

// NewKeyring returns a keyring signing with current and verifying with
// current and every previous key.
func NewKeyring(current []byte, previous ...[]byte) (*Keyring, error) {
	k := &Keyring{currentID: KeyID(current), keys: map[string][]byte{}}
	for i, key := range append([][]byte{current}, previous...) {
		if len(key) < MinKeyLength {
			if i == 0 {
				return nil, fmt.Errorf("the signing key must be at least %d bytes", MinKeyLength)
			}
			return nil, fmt.Errorf("the previous signing key must be at least %d bytes", MinKeyLength)
		}
		k.keys[KeyID(key)] = key
	}
	return k, nil
}

// CurrentID is the kid of the key that signs new tokens.
func (k *Keyring) CurrentID() string { return k.currentID }

// Sign mints a third-party token with the current key, naming it in kid.
func (k *Keyring) Sign(id, role string, issuedAt time.Time, expiresAt *time.Time) (string, error) {
	c := Claims{Role: role, RegisteredClaims: jwt.RegisteredClaims{
		ID:       id,
		Issuer:   Issuer,
		IssuedAt: jwt.NewNumericDate(issuedAt),
	}}
	if expiresAt != nil {
		c.ExpiresAt = jwt.NewNumericDate(*expiresAt)
	}
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	t.Header["kid"] = k.currentID
	return t.SignedString(k.keys[k.currentID])
}

// ErrInvalid is returned for any token that fails verification.
var ErrInvalid = errors.New("invalid token")

// Parse verifies a third-party token's signature (HS256 only) with the key
// its kid names, and its issuer and expiry, and returns its claims. A token
// without kid (signed before keys had names) is checked with the current key
// only; an unknown kid is refused. Revocation is the caller's job.
func (k *Keyring) Parse(tok string, now time.Time) (*Claims, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(tok, &c, func(t *jwt.Token) (any, error) {
		kid, present := t.Header["kid"]
		if !present {
			return k.keys[k.currentID], nil
		}
		s, ok := kid.(string)
		if key, known := k.keys[s]; ok && known {
			return key, nil
		}
		return nil, ErrInvalid
	},
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
