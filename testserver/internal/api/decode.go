package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"reflect"
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
// and bodies over limit are refused with a 400. Field names must match
// exactly and appear once (see strictJSON): encoding/json alone would take
// "PASSWORD" or "paſſword" for "password", and the last of two "role" keys.
func decode(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		return decodeProblem(err)
	}
	if err := strictJSON(body, reflect.TypeOf(v)); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeProblem(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("the body must hold exactly one JSON object, with nothing after it")
	}
	return nil
}

// strictJSON checks that every object in body names each key once and, where
// the target is a struct, uses the exact name of one of its fields. Malformed
// JSON passes here and is reported by the decoder.
func strictJSON(body []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	p, _ := strictValue(dec, t, "")
	if p != nil {
		return p
	}
	return nil
}

// errStopScan ends strictJSON early: the decoder will refuse the body.
var errStopScan = errors.New("the body does not fit the target type")

// strictValue checks the next value of dec against type t.
// It returns a problem, or an error when the JSON is malformed.
func strictValue(dec *json.Decoder, t reflect.Type, path string) (*Problem, error) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		var fields map[string]reflect.Type
		var elem reflect.Type
		switch {
		case t != nil && t.Kind() == reflect.Struct:
			fields = jsonFields(t)
		case t != nil && t.Kind() == reflect.Map:
			elem = t.Elem()
		default:
			// An object where none belongs: the decoder refuses its type.
			// Stopping here also bounds the depth to the target type's.
			return nil, errStopScan
		}
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			key, _ := kt.(string)
			name := key
			if path != "" {
				name = path + "." + key
			}
			if seen[key] {
				return invalid(map[string]string{name: "appears more than once"}), nil
			}
			seen[key] = true
			ft := elem
			if fields != nil {
				var ok bool
				if ft, ok = fields[key]; !ok {
					return invalid(map[string]string{name: "is not a known field (names are case-sensitive)"}), nil
				}
			}
			if p, err := strictValue(dec, ft, name); p != nil || err != nil {
				return p, err
			}
		}
		_, err := dec.Token()
		return nil, err
	case json.Delim('['):
		if t == nil || (t.Kind() != reflect.Slice && t.Kind() != reflect.Array) {
			return nil, errStopScan // as for an object where none belongs
		}
		elem := t.Elem()
		for i := 0; dec.More(); i++ {
			if p, err := strictValue(dec, elem, fmt.Sprintf("%s[%d]", path, i)); p != nil || err != nil {
				return p, err
			}
		}
		_, err := dec.Token()
		return nil, err
	}
	return nil, nil
}

// jsonFields maps the JSON names of a struct's fields (embedded structs'
// included) to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			maps.Copy(out, jsonFields(f.Type))
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
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
