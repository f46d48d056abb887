package api

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/seed/terraform-provider-identity/testserver/internal/authz"
	"github.com/seed/terraform-provider-identity/testserver/internal/identities"
	"github.com/seed/terraform-provider-identity/testserver/internal/store"
)

// MaxIdentitiesBody is the body limit of PUT /identities: a whole server's
// identities in one file (100,000 users with their groups and grants).
const MaxIdentitiesBody = 32 << 20

// identitiesApplied is the answer to PUT /identities.
type identitiesApplied struct {
	DryRun  bool                `json:"dry_run"`
	Version int64               `json:"version"`
	Changes []identities.Change `json:"changes"`
}

// errDryRun rolls a dry run's transaction back once its changes are known.
var errDryRun = errors.New("dry run")

// wantsJSON reports whether the Accept header asks for JSON before YAML.
func wantsJSON(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch {
		case mt == "application/json":
			return true
		case strings.HasSuffix(mt, "yaml"):
			return false
		}
	}
	return false
}

func (a *API) getIdentities(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := authz.ReadIdentities(c.caller); err != nil {
		return err
	}
	doc, err := identities.Export(r.Context(), a.st.R)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	contentType := "application/yaml"
	if wantsJSON(r) {
		contentType = "application/json"
		err = identities.WriteJSON(&buf, doc)
	} else {
		err = identities.WriteYAML(&buf, doc)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("ETag", `"`+strconv.FormatInt(*doc.Version, 10)+`"`)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// readIdentities decodes the body as JSON (Content-Type application/json,
// through the strict decoder every endpoint uses) or as YAML (a YAML type or
// none).
func readIdentities(w http.ResponseWriter, r *http.Request) (identities.Document, error) {
	var doc identities.Document
	mt := "application/yaml"
	if ct := r.Header.Get("Content-Type"); ct != "" {
		var err error
		if mt, _, err = mime.ParseMediaType(ct); err != nil {
			return doc, badRequest("malformed Content-Type %s", quoteName(ct))
		}
	}
	switch {
	case mt == "application/json":
		return doc, decode(w, r, &doc, MaxIdentitiesBody)
	case strings.HasSuffix(mt, "yaml") || mt == "text/plain":
		// Read whole first: the YAML reader would hide a body over the limit
		// behind its own error.
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxIdentitiesBody))
		if err != nil {
			return doc, decodeProblem(err)
		}
		doc, err = identities.ParseYAML(bytes.NewReader(body))
		return doc, identitiesProblem(err)
	}
	return doc, newProblem(http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported media type",
		"the identities file must be sent as application/yaml or application/json, not %s", quoteName(mt))
}

func (a *API) putIdentities(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	dryRun := false
	switch v := r.URL.Query().Get("dry_run"); v {
	case "", "false", "0":
	case "true", "1":
		dryRun = true
	default:
		return invalid(map[string]string{"dry_run": "must be true or false"})
	}
	// A caller who may not read the file is refused before its body is read.
	if err := authz.ReadIdentities(c.caller); err != nil {
		return err
	}
	doc, err := readIdentities(w, r)
	if err != nil {
		return err
	}
	var res identities.Result
	err = c.change(ctx, func(tx *sql.Tx) error {
		// Judged again on the caller as loaded inside the transaction.
		if err := authz.ReadIdentities(c.caller); err != nil {
			return err
		}
		before, err := store.ChangeVersion(ctx, tx)
		if err != nil {
			return err
		}
		if res, err = identities.Apply(ctx, tx, c.caller, doc); err != nil {
			return identitiesProblem(err)
		}
		c.ev.Detail = changesDetail(res.Changes)
		if dryRun {
			res.Version = before
			return errDryRun
		}
		// A file that changes nothing is not a change, so it is not audited.
		c.quiet = len(res.Changes) == 0
		return nil
	})
	if dryRun && errors.Is(err, errDryRun) {
		err = nil
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, identitiesApplied{DryRun: dryRun, Version: res.Version, Changes: res.Changes})
	return nil
}

// identitiesProblem turns the identities package's errors into problems: a
// bad file is a 400 naming the place in the file, a stale one a 412, and a
// refused change the refusal of that change (403, 409...) naming it.
func identitiesProblem(err error) error {
	var inv *identities.InvalidError
	var stale *identities.StaleError
	var ch *identities.ChangeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &inv):
		if inv.Detail != "" {
			return badRequest("%s", inv.Detail)
		}
		return invalid(inv.Fields)
	case errors.As(err, &stale):
		return newProblem(http.StatusPreconditionFailed, "precondition-failed", "Precondition failed", "%s", stale.Detail)
	case errors.As(err, &ch):
		p, known := toProblem(ch.Err)
		if !known {
			return err
		}
		out := *p
		out.Detail = ch.Change.String() + ": " + p.Detail
		return &out
	}
	return err
}

// changesDetail summarises an apply for the audit log.
func changesDetail(changes []identities.Change) string {
	n := map[string]int{}
	for _, ch := range changes {
		n[ch.Action]++
	}
	return fmt.Sprintf("%d change(s): %d create, %d update, %d delete", len(changes), n["create"], n["update"], n["delete"])
}
