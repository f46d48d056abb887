// Command identity-server runs the reference identity server standalone, and
// exports or imports its identities file against a database.
//
//	IDENTITY_SUPERUSER_PASSWORD=... identity-server -listen 127.0.0.1:8080 -db identity.db
//	identity-server export -db identity.db > identities.yaml
//	identity-server import -db other.db identities.yaml
//	IDENTITY_SIGNING_KEY=... identity-server -db postgres://identity@db.internal/identity
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/seed/terraform-provider-identity/testserver/server"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "identity-server:", err)
		os.Exit(1)
	}
}

// run dispatches to a subcommand (export, import), or serves.
func run(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "export":
			return runExport(args[1:], stdout, stderr)
		case "import":
			return runImport(args[1:], stdout, stderr)
		}
	}
	return serve(args, stderr)
}

// dbUsage describes -db.
const dbUsage = "database: an SQLite file, or a PostgreSQL URL (postgres://user@host:5432/db) that several replicas share (default from IDENTITY_DATABASE_URL)"

// defaultDB is -db's default: IDENTITY_DATABASE_URL, else identity.db.
func defaultDB() string {
	if v := os.Getenv("IDENTITY_DATABASE_URL"); v != "" {
		return v
	}
	return "identity.db"
}

// redactDB hides the password of a database URL for logs and messages.
func redactDB(db string) string {
	if u, err := url.Parse(db); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			return u.Redacted()
		}
	}
	return db
}

// trustedUsage describes -trusted-proxies.
const trustedUsage = "comma-separated CIDR prefixes or IPs of the reverse proxies and load balancers in front of the server: " +
	"from them, X-Forwarded-For names the client address that login and registration limits count by; name only your own (default from IDENTITY_TRUSTED_PROXIES; none: the header is ignored)"

// trustedProxies reads -trusted-proxies, or IDENTITY_TRUSTED_PROXIES when the
// flag is not given; an invalid entry is an error naming it and where it came from.
func trustedProxies(fs *flag.FlagSet, value string) ([]netip.Prefix, error) {
	source := "IDENTITY_TRUSTED_PROXIES"
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "trusted-proxies" {
			source = "-trusted-proxies"
		}
	})
	p, err := server.ParseTrustedProxies(value)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	return p, nil
}

func serve(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("identity-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: identity-server [flags]         serve the API")
		fmt.Fprintln(stderr, "       identity-server export [flags]  write the identities file of a database")
		fmt.Fprintln(stderr, "       identity-server import [flags] FILE  apply an identities file to a database")
		fs.PrintDefaults()
	}
	listen := fs.String("listen", "127.0.0.1:8080", "address to listen on")
	db := fs.String("db", defaultDB(), dbUsage)
	cost := fs.String("password-cost", "default", "argon2id cost preset: default (OWASP) or low (demos only)")
	level := fs.String("log-level", "info", "log level: trace, debug, info, warn, error")
	readHeader := fs.Duration("read-header-timeout", server.DefaultReadHeaderTimeout, "longest time to read a request's headers")
	readAll := fs.Duration("read-timeout", server.DefaultReadTimeout, "longest time to read a whole request, body included")
	writeAll := fs.Duration("write-timeout", server.DefaultWriteTimeout, "longest time from a request's headers to the end of its response")
	idle := fs.Duration("idle-timeout", server.DefaultIdleTimeout, "longest time a keep-alive connection waits for its next request")
	trusted := fs.String("trusted-proxies", os.Getenv("IDENTITY_TRUSTED_PROXIES"), trustedUsage)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q; the subcommands are export and import", fs.Arg(0))
	}
	proxies, err := trustedProxies(fs, *trusted)
	if err != nil {
		return err
	}

	log := hclog.New(&hclog.LoggerOptions{Name: "identity-server", Level: hclog.LevelFromString(*level), JSONFormat: true, Output: stderr})
	password := os.Getenv("IDENTITY_SUPERUSER_PASSWORD")
	if password == "" {
		return fmt.Errorf("IDENTITY_SUPERUSER_PASSWORD is not set; it is the password of the built-in system user and is required")
	}
	s, err := server.New(server.Options{
		SuperuserPassword:  password,
		SigningKey:         os.Getenv("IDENTITY_SIGNING_KEY"),
		PreviousSigningKey: os.Getenv("IDENTITY_SIGNING_KEY_PREVIOUS"),
		DBPath:             *db,
		Listen:             *listen,
		PasswordCost:       *cost,
		Logger:             log,
		ReadHeaderTimeout:  *readHeader,
		ReadTimeout:        *readAll,
		WriteTimeout:       *writeAll,
		IdleTimeout:        *idle,
		TrustedProxies:     proxies,
	})
	if err != nil {
		return err
	}
	log.Info("listening", "url", s.URL, "db", redactDB(s.DBPath), "password_cost", *cost, "trusted_proxies", fmt.Sprint(proxies))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := s.Shutdown(shutdownCtx); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}
