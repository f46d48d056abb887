// Command identity-server runs the reference identity server standalone.
//
//	IDENTITY_SUPERUSER_PASSWORD=... identity-server -listen 127.0.0.1:8080 -db identity.db
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/seed/terraform-provider-identity/testserver"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "identity-server:", err)
		os.Exit(1)
	}
}

func run() error {
	listen := flag.String("listen", "127.0.0.1:8080", "address to listen on")
	db := flag.String("db", "identity.db", "SQLite database file")
	cost := flag.String("password-cost", "default", "argon2id cost preset: default (OWASP) or low (demos only)")
	level := flag.String("log-level", "info", "log level: trace, debug, info, warn, error")
	readHeader := flag.Duration("read-header-timeout", testserver.DefaultReadHeaderTimeout, "longest time to read a request's headers")
	readAll := flag.Duration("read-timeout", testserver.DefaultReadTimeout, "longest time to read a whole request, body included")
	writeAll := flag.Duration("write-timeout", testserver.DefaultWriteTimeout, "longest time from a request's headers to the end of its response")
	idle := flag.Duration("idle-timeout", testserver.DefaultIdleTimeout, "longest time a keep-alive connection waits for its next request")
	flag.Parse()

	log := hclog.New(&hclog.LoggerOptions{Name: "identity-server", Level: hclog.LevelFromString(*level), JSONFormat: true, Output: os.Stderr})
	password := os.Getenv("IDENTITY_SUPERUSER_PASSWORD")
	if password == "" {
		return fmt.Errorf("IDENTITY_SUPERUSER_PASSWORD is not set; it is the password of the built-in system user and is required")
	}
	s, err := testserver.New(testserver.Options{
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
	})
	if err != nil {
		return err
	}
	log.Info("listening", "url", s.URL, "db", s.DBPath, "password_cost", *cost)

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
