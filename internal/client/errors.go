package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Sentinel errors matched with errors.Is against any error this package
// returns for a failed API call.
var (
	// ErrBadRequest is a 400: the server refused the input.
	ErrBadRequest = errors.New("identity: bad request")
	// ErrUnauthorized is a 401: the credential is missing, wrong or expired.
	ErrUnauthorized = errors.New("identity: unauthorized")
	// ErrForbidden is a 403: the caller may not do this.
	ErrForbidden = errors.New("identity: forbidden")
	// ErrNotFound is a 404, or a lookup that matched nothing.
	ErrNotFound = errors.New("identity: not found")
	// ErrConflict is a 409: a uniqueness clash or an object still in use.
	ErrConflict = errors.New("identity: conflict")
	// ErrMembersExclusive is a 409 for a per-user change to a group whose
	// members are managed as a whole set (the group's members_exclusive). It
	// also matches ErrConflict.
	ErrMembersExclusive = errors.New("identity: group members are managed as a whole set")
	// ErrPreconditionFailed is a 412: If-Match did not match the version.
	ErrPreconditionFailed = errors.New("identity: precondition failed")
	// ErrRateLimited is a 429 that retries did not get past.
	ErrRateLimited = errors.New("identity: rate limited")
	// ErrWrongScheme is an endpoint whose scheme the server does not speak:
	// http:// for a server that speaks HTTPS, or the other way round.
	ErrWrongScheme = errors.New("identity: the endpoint's scheme does not match the server")
)

// APIError is an error response from the server, usually decoded from
// application/problem+json.
type APIError struct {
	StatusCode int
	Type       string
	Title      string
	Detail     string
	// Errors maps a field's JSON name to what is wrong with it.
	Errors map[string]string
	// Method and Path identify the request (the path without its query).
	Method string
	Path   string
	// Attempts is how many times the request was sent.
	Attempts int
	// RetryAfter is the wait the server asked for with a 429 or 503.
	RetryAfter time.Duration
	// GaveUp says why the client stopped retrying a 429 or 503, when it did.
	GaveUp string
}

// Error quotes the server's detail and field errors, e.g.
// "POST /api/v1/users: 403 Forbidden: admin (level 1) cannot assign role sudo (level 0)".
func (e *APIError) Error() string {
	var b strings.Builder
	if e.Method != "" || e.Path != "" {
		fmt.Fprintf(&b, "%s %s: ", e.Method, e.Path)
	}
	fmt.Fprint(&b, e.StatusCode)
	if text := http.StatusText(e.StatusCode); text != "" {
		b.WriteString(" " + text)
	}
	msg := e.Detail
	if msg == "" && e.Title != "" && e.Title != http.StatusText(e.StatusCode) {
		msg = e.Title
	}
	if msg != "" {
		b.WriteString(": " + msg)
	}
	// Field errors the detail already states (a single invalid field is
	// usually the detail itself) are not repeated.
	keys := make([]string, 0, len(e.Errors))
	for k, v := range e.Errors {
		if !strings.Contains(msg, v) {
			keys = append(keys, k)
		}
	}
	if len(keys) > 0 {
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ": " + e.Errors[k]
		}
		b.WriteString(" (" + strings.Join(parts, "; ") + ")")
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts", e.Attempts)
		if e.GaveUp != "" {
			b.WriteString("; " + e.GaveUp)
		}
		b.WriteString(")")
	} else if e.GaveUp != "" {
		b.WriteString(" (" + e.GaveUp + ")")
	}
	return b.String()
}

// Is maps the status code to the package's sentinel errors.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusRequestEntityTooLarge ||
			e.StatusCode == http.StatusUnprocessableEntity
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound || e.StatusCode == http.StatusGone
	case ErrConflict:
		return e.StatusCode == http.StatusConflict
	case ErrMembersExclusive:
		return e.StatusCode == http.StatusConflict && strings.HasSuffix(e.Type, "/members-exclusive")
	case ErrPreconditionFailed:
		return e.StatusCode == http.StatusPreconditionFailed
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	}
	return false
}

// problem is the application/problem+json body.
type problem struct {
	Type   string            `json:"type"`
	Title  string            `json:"title"`
	Status int               `json:"status"`
	Detail string            `json:"detail"`
	Errors map[string]string `json:"errors"`
}

// newAPIError builds an APIError from an error response. A body that is not
// a problem document (a proxy's HTML page, say) still yields the status.
func newAPIError(resp *http.Response, body []byte, method, path string) *APIError {
	e := &APIError{StatusCode: resp.StatusCode, Method: method, Path: path}
	var p problem
	if isJSON(resp.Header.Get("Content-Type")) && json.Unmarshal(body, &p) == nil {
		e.Type, e.Title, e.Detail, e.Errors = p.Type, p.Title, p.Detail, p.Errors
		return e
	}
	e.Title = http.StatusText(resp.StatusCode)
	if len(strings.TrimSpace(string(body))) > 0 {
		e.Detail = fmt.Sprintf("unexpected %s response from the server or a proxy in front of it", describeContentType(resp.Header.Get("Content-Type")))
	}
	return e
}

// isHTTPSServerAnswer reports the plain-text 400 that Go's TLS servers (and
// others) send to a client that spoke plain HTTP to them.
func isHTTPSServerAnswer(resp *http.Response, body []byte) bool {
	return resp.StatusCode == http.StatusBadRequest && !isJSON(resp.Header.Get("Content-Type")) &&
		bytes.Contains(bytes.ToLower(body), []byte("http request to an https server"))
}

// LoginLockedError is a login refused because the account had too many failed
// logins: retrying before RetryAfter cannot succeed, so the client does not.
// It matches ErrRateLimited with errors.Is.
type LoginLockedError struct {
	Username   string
	RetryAfter time.Duration
	Err        *APIError
}

// Error says whose logins are locked and for how long.
func (e *LoginLockedError) Error() string {
	s := fmt.Sprintf("too many failed logins for %q", e.Username)
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(", retry after %d s", int64(e.RetryAfter.Round(time.Second)/time.Second))
	}
	return s + " (" + e.Err.Error() + ")"
}

// Unwrap returns the server's 429.
func (e *LoginLockedError) Unwrap() error { return e.Err }

// notFound is the error for a lookup that matched nothing, shaped like the
// server's own 404 so callers handle both the same way.
func notFound(path, detail string) *APIError {
	return &APIError{
		StatusCode: http.StatusNotFound, Type: "not-found", Title: "Not Found",
		Detail: detail, Method: http.MethodGet, Path: path,
	}
}

// NetworkError is a request that got no HTTP response: the server was
// unreachable or the connection failed, after any retries.
type NetworkError struct {
	Endpoint string
	Method   string
	Path     string
	Attempts int
	Err      error
}

// Error names the endpoint so a wrong address is obvious.
func (e *NetworkError) Error() string {
	s := fmt.Sprintf("cannot reach identity server at %s: %s %s: %v", e.Endpoint, e.Method, e.Path, e.Err)
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return s
}

// Unwrap returns the underlying network error.
func (e *NetworkError) Unwrap() error { return e.Err }
