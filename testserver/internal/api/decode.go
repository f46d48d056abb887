package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/seed/terraform-provider-identity/testserver/internal/store"
)

// MaxBody is the largest request body accepted.
const MaxBody = 1 << 20

// MaxMembersBody is the body limit of PUT /groups/{id}/members, which carries
// up to 100,000 ids (about 3.9 MB of JSON).
const MaxMembersBody = 8 << 20

// decode reads exactly one JSON object into v: unknown fields, trailing data
// and bodies over limit are refused with a 400.
func decode(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	body := http.MaxBytesReader(w, r.Body, limit)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeProblem(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return tooLarge(mb.Limit)
		}
		return badRequest("the body must hold exactly one JSON object, with nothing after it")
	}
	return nil
}

func decodeProblem(err error) error {
	var mb *http.MaxBytesError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var ne net.Error
	switch {
	case errors.As(err, &mb):
		return tooLarge(mb.Limit)
	case errors.As(err, &ne) && ne.Timeout():
		return timedOut()
	case errors.Is(err, io.EOF):
		return badRequest("the body must be a JSON object")
	case errors.As(err, &syn):
		return badRequest("malformed JSON at byte %d: %v", syn.Offset, err)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return badRequest("the body must be a JSON object")
		}
		return invalid(map[string]string{typ.Field: fmt.Sprintf("must be a JSON %s", jsonKind(typ.Type.Kind().String()))})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return invalid(map[string]string{name: "is not a known field"})
	}
	return badRequest("malformed JSON: %v", err)
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "map", "struct":
		return "object"
	case "slice", "array":
		return "array"
	case "ptr":
		return "value of another type"
	}
	return "number"
}

// parseID normalises a UUID path value; anything else names no object (404).
func parseID(r *http.Request, name, what string) (string, error) {
	raw := r.PathValue(name)
	id, err := uuid.Parse(raw)
	if err != nil || len(raw) != 36 {
		return "", notFound("no %s with id %q", what, raw)
	}
	return id.String(), nil
}

// queryID reads an id filter from the query. Ids are case-insensitive, so a
// UUID in any case is normalised as parseID does; anything else is kept as
// given and matches nothing.
func queryID(q url.Values, name string) string {
	raw := q.Get(name)
	if id, err := uuid.Parse(raw); err == nil && len(raw) == 36 {
		return id.String()
	}
	return raw
}

// page reads limit and cursor.
func page(r *http.Request) (store.Page, error) {
	p := store.Page{Limit: 100}
	// URL.Query drops pairs it cannot parse (a ';' in "limit=1;x"), which
	// would silently serve the default page size; refuse such a query.
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return p, badRequest("malformed query string: %v", err)
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return p, invalid(map[string]string{"limit": "must be a whole number from 1 to 500"})
		}
		p.Limit = n
	}
	after, err := store.DecodeCursor(q.Get("cursor"))
	if err != nil {
		return p, invalid(map[string]string{"cursor": "is not a cursor this server issued"})
	}
	p.After = after
	return p, nil
}

// checkIfMatch refuses the change with 412 when If-Match names another version.
func checkIfMatch(r *http.Request, version int64) error {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" || h == "*" {
		return nil
	}
	for _, part := range strings.Split(h, ",") {
		part = strings.TrimSpace(part)
		part = strings.TrimPrefix(part, "W/")
		part = strings.Trim(part, `"`)
		if part == "*" || part == strconv.FormatInt(version, 10) {
			return nil
		}
	}
	return preconditionFailed(version)
}
