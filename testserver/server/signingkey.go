package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/seed/terraform-provider-identity/testserver/internal/store"
	"github.com/seed/terraform-provider-identity/testserver/internal/tokens"
)

// legacySigningKey is the setting where servers before key files kept a
// generated signing key, inside the database.
const legacySigningKey = "signing_key"

// KeyFilePath is where a server keeps the signing key it generated: beside
// the database, readable by its owner only.
func KeyFilePath(dbPath string) string { return dbPath + ".key" }

// signingKeys returns the keyring of a server: the configured key, or the
// one in the key file, generated on first start; and the previous key, which
// only verifies. A key an older server kept in the database moves to the key
// file (unless a key is configured) and is scrubbed from the database.
func signingKeys(ctx context.Context, st *store.Store, opts Options) (*tokens.Keyring, error) {
	if st.Postgres() {
		if opts.SigningKey == "" {
			return nil, errors.New("on PostgreSQL the signing key must be given (IDENTITY_SIGNING_KEY): every replica signs with the same key")
		}
		return keyring(opts.SigningKey, opts.PreviousSigningKey)
	}
	var legacy string
	err := st.Tx(ctx, func(tx *sql.Tx) error {
		v, ok, err := store.GetSetting(ctx, tx, legacySigningKey)
		if err != nil || !ok {
			return err
		}
		legacy = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	path := KeyFilePath(opts.DBPath)
	key := opts.SigningKey
	if key == "" {
		if key, err = readOrCreateKeyFile(path, legacy); err != nil {
			return nil, err
		}
	}
	if legacy != "" {
		if err := st.Tx(ctx, func(tx *sql.Tx) error { return store.DeleteSetting(ctx, tx, legacySigningKey) }); err != nil {
			return nil, err
		}
		if err := st.Scrub(ctx); err != nil {
			return nil, fmt.Errorf("scrub the old signing key from the database: %w", err)
		}
	}
	return keyring(key, opts.PreviousSigningKey)
}

// keyring checks the signing key and the previous one and makes the keyring.
func keyring(key, previousKey string) (*tokens.Keyring, error) {
	if len(key) < tokens.MinKeyLength {
		return nil, fmt.Errorf("the signing key (IDENTITY_SIGNING_KEY) must be at least %d characters", tokens.MinKeyLength)
	}
	var previous [][]byte
	if previousKey != "" {
		if len(previousKey) < tokens.MinKeyLength {
			return nil, fmt.Errorf("the previous signing key (IDENTITY_SIGNING_KEY_PREVIOUS) must be at least %d characters", tokens.MinKeyLength)
		}
		previous = append(previous, []byte(previousKey))
	}
	return tokens.NewKeyring([]byte(key), previous...)
}

// readOrCreateKeyFile returns the key in the key file; when there is none it
// writes one (seed, the key of an older server, or a new random key) with
// mode 0600, created exclusively so two servers starting on one database
// never keep different keys.
func readOrCreateKeyFile(path, seed string) (string, error) {
	for range 2 {
		b, err := os.ReadFile(path) //nolint:gosec // the key file beside the operator's database
		if err == nil {
			if err := restrictKeyFile(path); err != nil {
				return "", err
			}
			key := strings.TrimSpace(string(b))
			if key == "" {
				return "", fmt.Errorf("the signing key file %s is empty", path)
			}
			return key, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("read the signing key file: %w", err)
		}
		key := seed
		if key == "" {
			if key, err = tokens.NewSigningKey(); err != nil {
				return "", err
			}
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, store.FileMode) //nolint:gosec // as above
		if errors.Is(err, fs.ErrExist) {
			continue // another server wrote it first: read that one
		} else if err != nil {
			return "", fmt.Errorf("create the signing key file: %w", err)
		}
		_, werr := f.WriteString(key + "\n")
		if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
			_ = os.Remove(path)
			return "", fmt.Errorf("write the signing key file: %w", err)
		}
		return key, nil
	}
	return "", fmt.Errorf("cannot read or create the signing key file %s", path)
}

// restrictKeyFile takes group and other access away from the key file.
func restrictKeyFile(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&^store.FileMode != 0 {
		return os.Chmod(path, store.FileMode)
	}
	return nil
}
