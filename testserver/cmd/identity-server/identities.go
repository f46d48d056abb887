package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/testserver/internal/authz"
	"github.com/seed/terraform-provider-identity/testserver/internal/identities"
	"github.com/seed/terraform-provider-identity/testserver/internal/store"
)

// importer is who an import acts as: whoever can write the database file
// holds every right the server would check, so the rules of level 0 apply
// (the system user and the built-in roles stay protected all the same).
var importer = authz.Caller{Kind: authz.KindUser, Name: "identity-server import", Role: catalog.RoleSudo, Level: catalog.LevelSudo}

func runExport(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("identity-server export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: identity-server export [-db FILE] [-format yaml|json] > identities.yaml")
		fs.PrintDefaults()
	}
	db := fs.String("db", defaultDB(), dbUsage+" to read")
	format := fs.String("format", "yaml", "output format: yaml or json")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("export takes no arguments, got %q", fs.Arg(0))
	}
	write := map[string]func(io.Writer, identities.Document) error{"yaml": identities.WriteYAML, "json": identities.WriteJSON}[*format]
	if write == nil {
		return fmt.Errorf("-format must be yaml or json, not %q", *format)
	}
	// Export never creates a database: a mistyped path is an error, not an empty file.
	if _, err := os.Stat(*db); err != nil && !store.IsPostgresURL(*db) {
		return fmt.Errorf("no database at %s: %w", *db, err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	doc, err := identities.Export(ctx, st.R)
	if err != nil {
		return err
	}
	return write(stdout, doc)
}

var errDryRun = errors.New("dry run")

func runImport(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("identity-server import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: identity-server import [-db FILE] [-dry-run] FILE   (FILE - reads standard input)")
		fs.PrintDefaults()
	}
	db := fs.String("db", defaultDB(), dbUsage+" to change (an SQLite file is created when missing)")
	dryRun := fs.Bool("dry-run", false, "list the changes without making them")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("import takes one identities file")
	}
	var in io.Reader = os.Stdin
	if name := fs.Arg(0); name != "-" {
		f, err := os.Open(name) //nolint:gosec // the operator names the file to import
		if err != nil {
			return err
		}
		defer func() { _ = f.Close() }()
		in = f
	}
	doc, err := identities.ParseYAML(in)
	if err != nil {
		return describe(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	var res identities.Result
	err = st.Tx(ctx, func(tx *sql.Tx) error {
		// A new database gets the built-in roles and the system user (whose
		// password the server sets when it starts), so a file may refer to them.
		if err := store.EnsureBuiltinRoles(ctx, tx); err != nil {
			return err
		}
		if _, err := store.GetSystemUser(ctx, tx); errors.Is(err, store.ErrNotFound) {
			if err := store.Bootstrap(ctx, tx, uuid.NewString(), ""); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		var err error
		if res, err = identities.Apply(ctx, tx, importer, doc); err != nil {
			return err
		}
		if *dryRun {
			return errDryRun
		}
		if len(res.Changes) == 0 {
			return nil
		}
		return store.InsertEvent(ctx, tx, &store.Event{Actor: importer.Name, Action: "identities.apply",
			ObjectType: "identities", Outcome: "success", Detail: fmt.Sprintf("%d change(s) from %s", len(res.Changes), fs.Arg(0))})
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return describe(err)
	}
	verb := "applied"
	if *dryRun {
		verb = "would apply"
	}
	for _, ch := range res.Changes {
		line := ch.String()
		if len(ch.Fields) > 0 {
			line += " (" + strings.Join(ch.Fields, ", ") + ")"
		}
		fmt.Fprintln(stdout, line)
	}
	_, err = fmt.Fprintf(stdout, "%s %d change(s) to %s\n", verb, len(res.Changes), redactDB(*db))
	return err
}

// describe spells out every problem of an invalid file, one per line.
func describe(err error) error {
	var inv *identities.InvalidError
	if !errors.As(err, &inv) || len(inv.Fields) == 0 {
		return err
	}
	paths := make([]string, 0, len(inv.Fields))
	for p := range inv.Fields {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	lines := []string{"the identities file is invalid:"}
	for _, p := range paths {
		lines = append(lines, "  "+p+": "+inv.Fields[p])
	}
	return errors.New(strings.Join(lines, "\n"))
}
