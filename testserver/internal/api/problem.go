package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/seed/terraform-provider-identity/testserver/internal/authz"
	"github.com/seed/terraform-provider-identity/testserver/internal/passwords"
	"github.com/seed/terraform-provider-identity/testserver/internal/store"
)

const problemBase = "https://identity.example/problems/"

// Problem is an RFC 9457 problem document, also used as an error inside handlers.
type Problem struct {
	Type   string            `json:"type"`
	Title  string            `json:"title"`
	Status int               `json:"status"`
	Detail string            `json:"detail"`
	Errors map[string]string `json:"errors,omitempty"`

	retryAfter int
	// audit, when set, is what the audit log records instead of Detail: the
	// reason a login failed, which the client is not told.
	audit string
}

// Error returns the detail.
func (p *Problem) Error() string { return p.Detail }

func newProblem(status int, kind, title, format string, args ...any) *Problem {
	return &Problem{Type: problemBase + kind, Title: title, Status: status, Detail: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) *Problem {
	return newProblem(http.StatusBadRequest, "validation", "Invalid request", format, args...)
}

// invalid builds a 400 from per-field messages; nil when there are none.
func invalid(fields map[string]string) *Problem {
	if len(fields) == 0 {
		return nil
	}
	p := badRequest("%d field(s) are invalid", len(fields))
	if len(fields) == 1 {
		for k, v := range fields {
			p.Detail = k + " " + v
		}
	}
	p.Errors = fields
	return p
}

func unauthorized(detail string) *Problem {
	return newProblem(http.StatusUnauthorized, "unauthorized", "Unauthorized", "%s", detail)
}

func forbidden(detail string) *Problem {
	return newProblem(http.StatusForbidden, "forbidden", "Forbidden", "%s", detail)
}

func notFound(format string, args ...any) *Problem {
	return newProblem(http.StatusNotFound, "not-found", "Not found", format, args...)
}

func conflict(field, detail string) *Problem {
	p := newProblem(http.StatusConflict, "conflict", "Conflict", "%s", detail)
	if field != "" {
		p.Errors = map[string]string{field: detail}
	}
	return p
}

func preconditionFailed(have int64) *Problem {
	return newProblem(http.StatusPreconditionFailed, "precondition-failed", "Precondition failed",
		"If-Match does not match the current version %d", have)
}

func tooLarge(limit int64) *Problem {
	return newProblem(http.StatusBadRequest, "too-large", "Request body too large", "the request body must be at most %d bytes", limit)
}

func timedOut() *Problem {
	return newProblem(http.StatusRequestTimeout, "timeout", "Request timeout", "the request body did not arrive in time")
}

func rateLimited(retryAfter int) *Problem {
	p := newProblem(http.StatusTooManyRequests, "rate-limited", "Too many requests",
		"too many failed logins from this address; retry after %d seconds", retryAfter)
	p.retryAfter = retryAfter
	return p
}

// busy is the answer when every password hashing slot stayed taken.
func busy() *Problem {
	p := newProblem(http.StatusServiceUnavailable, "busy", "Service busy",
		"too many password checks are under way; retry after 1 second")
	p.retryAfter = 1
	return p
}

// dbUnavailable answers a request that failed because the database could
// not be reached: the same request may succeed shortly (another replica, or
// the database back).
func dbUnavailable() *Problem {
	p := newProblem(http.StatusServiceUnavailable, "unavailable", "Service unavailable",
		"the database is not answering; retry after %d seconds", dbRetryAfter)
	p.retryAfter = dbRetryAfter
	return p
}

// dbRetryAfter is the Retry-After of dbUnavailable, in seconds.
const dbRetryAfter = 2

func internalError() *Problem {
	return newProblem(http.StatusInternalServerError, "internal", "Internal server error", "the server failed; see its log")
}

// toProblem maps any handler error to the problem sent to the client. Only
// errors it does not recognise become 500s.
func toProblem(err error) (*Problem, bool) {
	var p *Problem
	var d *authz.Denied
	var c *store.ConflictError
	var u *store.UnknownUsersError
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &p):
		return p, true
	case errors.Is(err, passwords.ErrBusy):
		return busy(), true
	case errors.As(err, &d):
		return forbidden(d.Reason), true
	case errors.As(err, &c):
		return conflict(c.Field, c.Message), true
	case errors.As(err, &u):
		return invalid(map[string]string{"user_ids": u.Error()}), true
	case errors.As(err, &mb):
		return tooLarge(mb.Limit), true
	case errors.Is(err, store.ErrNotFound):
		return notFound("the object does not exist"), true
	case store.IsConstraint(err):
		if c := store.UniqueConflict(err); c != nil {
			return conflict(c.Field, c.Message), true
		}
		return conflict("", "the change conflicts with existing data"), true
	case store.IsUnavailable(err):
		return dbUnavailable(), true
	}
	return internalError(), false
}

// quoteName quotes a name the client sent for a message, cut to 80 characters.
func quoteName(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return `"` + s + `"`
}

func writeProblem(w http.ResponseWriter, p *Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	if p.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(p.retryAfter))
	}
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
