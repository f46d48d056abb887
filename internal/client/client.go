// Package client is the typed Go client of the identity server's HTTP API
// (testserver/API.md). It owns everything about talking to the server:
// authentication (bearer token or username/password login), retries with
// backoff that honour Retry-After and never repeat a non-idempotent request the
// server may already have applied, cursor pagination, and typed errors that
// callers branch on with errors.Is. It never imports Terraform packages, so the
// provider and any other tool can share it.
//
// Retries: a 429 or 503 (the server asking for less and not acting on the
// request) is retried for any method, honouring Retry-After, for as long as the
// request timeout allows; a network error or a 500, 502 or 504 at most
// MaxRetries times, and only when repeating cannot apply the request twice.
// All requests of one client share an in-flight limit that halves when the
// server pushes back and grows back as it answers. Errors that no retry can
// cure (an untrusted certificate, an endpoint scheme the server does not speak,
// a login lockout) are returned at once with what to do about them.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults applied by New when the corresponding Config field is zero.
const (
	DefaultTimeout       = 30 * time.Second
	DefaultMaxRetries    = 4
	DefaultRetryWaitMin  = 1 * time.Second
	DefaultRetryWaitMax  = 30 * time.Second
	DefaultMaxRetryAfter = 60 * time.Second
	DefaultUserAgent     = "identity-go-client"
)

const (
	apiPrefix = "/api/v1"
	// pageLimit is the largest page the server serves; fewer round trips.
	pageLimit = 500
	// maxResponseBytes bounds what is read from one response; the largest
	// legitimate body (100,000 member ids) is far below it.
	maxResponseBytes = 64 << 20
	// loginRefreshMargin renews a session shortly before it expires so a
	// request does not race the expiry.
	loginRefreshMargin = 30 * time.Second
)

// Config configures a Client.
type Config struct {
	// Endpoint is the server's base URL, e.g. http://127.0.0.1:8080.
	Endpoint string
	// Token is a session or third-party token sent as a bearer credential.
	Token string
	// Username and Password, when set, let the client log in itself (lazily on
	// first use, or through Login) and log in again once when a session expires.
	Username string
	Password string
	// UserAgent is sent with every request; DefaultUserAgent when empty.
	UserAgent string
	// HTTPClient is the underlying client; a pooled client when nil. It is
	// copied, never modified.
	HTTPClient *http.Client
	// Timeout bounds one call: every attempt, the waits between them and
	// reading the answer. When zero, HTTPClient's own Timeout is used, or
	// DefaultTimeout when that is zero too.
	Timeout time.Duration
	// MaxRetries bounds the retries after a network error or a 500, 502 or
	// 504; DefaultMaxRetries when zero. A 429 or 503 is retried for as long as
	// Timeout allows, whatever MaxRetries says.
	MaxRetries int
	// DisableRetries sends every request once: no retry of any kind.
	DisableRetries bool
	// RetryWaitMin and RetryWaitMax bound the exponential backoff between
	// attempts when the server gives no Retry-After.
	RetryWaitMin time.Duration
	RetryWaitMax time.Duration
	// MaxRetryAfter caps how long a Retry-After may make the client wait; a
	// longer one is not waited for and the 429/503 is returned instead.
	// DefaultMaxRetryAfter when zero.
	MaxRetryAfter time.Duration
	// Logger receives debug and warning logs; nothing is logged when nil.
	Logger Logger
}

// Client talks to one identity server. It is safe for concurrent use.
type Client struct {
	baseURL       *url.URL
	base          string // baseURL without a trailing slash
	userAgent     string
	httpClient    *http.Client
	timeout       time.Duration
	maxRetries    int
	noRetries     bool
	retryWaitMin  time.Duration
	retryWaitMax  time.Duration
	maxRetryAfter time.Duration
	logger        Logger
	clock         clock
	limiter       *limiter

	username  string
	password  string
	ownsCreds bool

	// loginMu serialises logins so concurrent requests that find the session
	// missing or expired log in only once; mu guards token and expiresAt and
	// is never held across a request.
	loginMu   sync.Mutex
	mu        sync.Mutex
	token     string
	expiresAt time.Time

	requests atomic.Int64
}

// New validates cfg and returns a Client. It does not contact the server.
func New(cfg Config) (*Client, error) {
	base, err := parseEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	if (cfg.Username == "") != (cfg.Password == "") {
		return nil, errors.New("identity client: username and password must be set together")
	}
	if cfg.Timeout < 0 || cfg.RetryWaitMin < 0 || cfg.RetryWaitMax < 0 || cfg.MaxRetryAfter < 0 {
		return nil, errors.New("identity client: timeout and retry waits must not be negative")
	}
	if cfg.MaxRetries < 0 {
		return nil, fmt.Errorf("identity client: MaxRetries (%d) must not be negative; set DisableRetries to send every request once", cfg.MaxRetries)
	}
	c := &Client{
		baseURL:       base,
		base:          strings.TrimRight(base.String(), "/"),
		userAgent:     cfg.UserAgent,
		maxRetries:    cfg.MaxRetries,
		noRetries:     cfg.DisableRetries,
		retryWaitMin:  cfg.RetryWaitMin,
		retryWaitMax:  cfg.RetryWaitMax,
		maxRetryAfter: cfg.MaxRetryAfter,
		logger:        cfg.Logger,
		clock:         realClock{},
		limiter:       newLimiter(maxInFlight),
		username:      cfg.Username,
		password:      cfg.Password,
		ownsCreds:     cfg.Username != "" && cfg.Password != "",
		token:         cfg.Token,
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	if c.maxRetries == 0 {
		c.maxRetries = DefaultMaxRetries
	}
	if c.retryWaitMin == 0 {
		c.retryWaitMin = DefaultRetryWaitMin
	}
	if c.retryWaitMax == 0 {
		c.retryWaitMax = DefaultRetryWaitMax
	}
	if c.retryWaitMin > c.retryWaitMax {
		return nil, fmt.Errorf("identity client: RetryWaitMin (%s) is greater than RetryWaitMax (%s)", c.retryWaitMin, c.retryWaitMax)
	}
	if c.maxRetryAfter == 0 {
		c.maxRetryAfter = DefaultMaxRetryAfter
	}

	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	} else {
		hc.Transport = newTransport()
	}
	switch {
	case cfg.Timeout > 0:
		c.timeout = cfg.Timeout
	case hc.Timeout > 0:
		c.timeout = hc.Timeout
	default:
		c.timeout = DefaultTimeout
	}
	// Each call's context carries the timeout, retries and waits included.
	hc.Timeout = 0
	c.httpClient = &hc
	return c, nil
}

// newTransport returns a pooled transport of its own so idle connections are
// not shared with (or closed under) other users of http.DefaultTransport.
func newTransport() http.RoundTripper {
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		t = t.Clone()
		t.MaxIdleConnsPerHost = 16
		return t
	}
	return http.DefaultTransport
}

// ValidateEndpoint reports why endpoint cannot be used as a server's base
// URL, or nil. New applies the same check.
func ValidateEndpoint(endpoint string) error {
	_, err := parseEndpoint(endpoint)
	return err
}

func parseEndpoint(endpoint string) (*url.URL, error) {
	if endpoint == "" {
		return nil, errors.New("identity client: endpoint is required")
	}
	if !strings.Contains(endpoint, "://") {
		return nil, fmt.Errorf("identity client: invalid endpoint %q: scheme must be http or https, e.g. http://127.0.0.1:8080", endpoint)
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		// url.Error repeats the raw URL, which could carry credentials.
		return nil, fmt.Errorf("identity client: invalid endpoint: %w", unwrapURLError(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("identity client: invalid endpoint %q: scheme must be http or https", endpoint)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("identity client: invalid endpoint %q: a host is required", endpoint)
	}
	if u.User != nil {
		return nil, fmt.Errorf("identity client: invalid endpoint %q: credentials belong in token or username/password, not the URL", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("identity client: invalid endpoint %q: query and fragment are not allowed", endpoint)
	}
	// Accept an endpoint given with the API prefix; paths are added here.
	u.Path = strings.TrimSuffix(strings.TrimRight(u.Path, "/"), apiPrefix)
	u.RawPath = ""
	return u, nil
}

// Endpoint returns the server's base URL as configured.
func (c *Client) Endpoint() string { return c.baseURL.String() }

// RequestCount returns the number of HTTP attempts made so far, retries and
// logins included.
func (c *Client) RequestCount() int64 { return c.requests.Load() }

// ifMatchKey carries an expected object version for the next write.
type ifMatchKey struct{}

// notIdempotentKey marks a request that must not be repeated once it may
// have reached the server, whatever its method.
type notIdempotentKey struct{}

// WithIfMatch returns a context whose PATCH, PUT and DELETE requests carry
// If-Match with version, so the server refuses them with 412
// (ErrPreconditionFailed) when the object changed in between.
func WithIfMatch(ctx context.Context, version int64) context.Context {
	return context.WithValue(ctx, ifMatchKey{}, version)
}

// Health checks that the server answers GET /healthz.
func (c *Client) Health(ctx context.Context) error {
	return c.doRaw(ctx, http.MethodGet, "/healthz", nil, nil, nil, false)
}

// do performs an authenticated API call: in (when non-nil) is sent as JSON and
// a JSON response is decoded into out (when non-nil).
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	return c.doRaw(ctx, method, apiPrefix+path, query, in, out, true)
}

func (c *Client) doRaw(ctx context.Context, method, path string, query url.Values, in, out any, auth bool) error {
	var body []byte
	if in != nil {
		var err error
		body, err = json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s %s: encode request: %w", method, path, err)
		}
	}
	for relogged := false; ; relogged = true {
		token := ""
		if auth {
			var err error
			token, err = c.sessionToken(ctx)
			if err != nil {
				return err
			}
		}
		err := c.exchange(ctx, method, path, query, body, token, out)
		// A 401 with credentials we own means the session expired or was
		// ended; a refused credential cannot have changed anything, so the
		// request is repeated once with a fresh session.
		if auth && c.ownsCreds && !relogged && errors.Is(err, ErrUnauthorized) {
			if err := c.relogin(ctx, token); err != nil {
				return err
			}
			continue
		}
		if relogged && errors.Is(err, ErrUnauthorized) {
			// A session minted a moment ago was refused too: logging in
			// again would only repeat this.
			return fmt.Errorf("%w (refused again right after a new login as %q: the account may be disabled, or its sessions ended as they start)", err, c.username)
		}
		return err
	}
}

// exchange sends one logical request (with retries) and decodes the final
// response into out or an error. The request timeout bounds all of it.
func (c *Client) exchange(ctx context.Context, method, path string, query url.Values, body []byte, token string, out any) error {
	cctx, cancel := context.WithTimeoutCause(ctx, c.timeout, errRequestTimeout)
	defer cancel()
	res, err := c.send(ctx, cctx, method, path, query, body, token)
	if err != nil {
		return err
	}
	// handle reads the body to the end, so the connection is reused.
	defer res.resp.Body.Close()
	return c.handle(res, method, path, out)
}

// send performs one logical request, with retries, and returns the final
// response. Errors are network errors or context errors. ctx is the caller's
// context, cctx the call's (ctx bounded by the request timeout).
func (c *Client) send(ctx, cctx context.Context, method, path string, query url.Values, body []byte, token string) (sendResult, error) {
	// path is already escaped segment by segment (url.PathEscape), so it is
	// joined as a string rather than through url.URL.Path.
	target := c.base + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}

	idempotent := isIdempotent(method)
	if v, ok := ctx.Value(notIdempotentKey{}).(bool); ok && v {
		idempotent = false
	}
	header := http.Header{}
	header.Set("Accept", "application/json, application/problem+json")
	header.Set("User-Agent", c.userAgent)
	if body != nil {
		header.Set("Content-Type", "application/json")
	}
	if token != "" {
		header.Set("Authorization", "Bearer "+token)
	}
	if v, ok := ctx.Value(ifMatchKey{}).(int64); ok && method != http.MethodGet && method != http.MethodPost {
		header.Set("If-Match", fmt.Sprintf("%q", fmt.Sprint(v)))
	}

	start := c.clock.Now()
	res, err := c.retrySend(cctx, method, path, target, body, header, idempotent)
	if err == nil && res.resp == nil {
		err = errors.New("no response")
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return sendResult{}, fmt.Errorf("%s %s: %w", method, path, ctxErr)
		}
		err = unwrapURLError(err)
		switch {
		case errors.Is(context.Cause(cctx), errRequestTimeout):
			err = fmt.Errorf("no answer within the request timeout of %s (%w; last error: %w)", c.timeout, context.DeadlineExceeded, err)
		case isPlainHTTPAnswer(err):
			err = fmt.Errorf("%w: the endpoint is https:// but the server answers plain HTTP; use http://%s", ErrWrongScheme, c.baseURL.Host)
		}
		c.warn(ctx, "identity API request failed", map[string]any{
			"method": method, "path": path, "attempts": res.attempts, "error": err.Error(),
		})
		return sendResult{}, &NetworkError{Endpoint: c.Endpoint(), Method: method, Path: path, Attempts: res.attempts, Err: err}
	}
	c.debug(ctx, "identity API request", map[string]any{
		"method": method, "path": path, "status": res.resp.StatusCode, "attempts": res.attempts,
		"duration_ms": c.clock.Now().Sub(start).Milliseconds(),
	})
	return res, nil
}

// handle turns a final response into the decoded out value or an error.
// The caller closes the body.
func (c *Client) handle(res sendResult, method, path string, out any) error {
	resp := res.resp
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return &NetworkError{Endpoint: c.Endpoint(), Method: method, Path: path, Attempts: res.attempts, Err: fmt.Errorf("read response: %w", err)}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		if isHTTPSServerAnswer(resp, data) {
			return &NetworkError{Endpoint: c.Endpoint(), Method: method, Path: path, Attempts: res.attempts,
				Err: fmt.Errorf("%w: the endpoint is http:// but the server speaks HTTPS; use https://%s", ErrWrongScheme, c.baseURL.Host)}
		}
		e := newAPIError(resp, data, method, path)
		e.Attempts, e.GaveUp = res.attempts, res.gaveUp
		if d, ok := retryAfter(resp, c.clock.Now()); ok {
			e.RetryAfter = d
		}
		if res.lockout {
			return &LoginLockedError{Username: c.username, RetryAfter: e.RetryAfter, Err: e}
		}
		return e
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if !isJSON(resp.Header.Get("Content-Type")) {
		return &APIError{
			StatusCode: resp.StatusCode, Method: method, Path: path,
			Title:  "Unexpected response",
			Detail: fmt.Sprintf("expected a JSON body, got %s", describeContentType(resp.Header.Get("Content-Type"))),
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(out); err != nil {
		return &APIError{
			StatusCode: resp.StatusCode, Method: method, Path: path,
			Title:  "Unexpected response",
			Detail: fmt.Sprintf("invalid JSON body: %v", err),
		}
	}
	return nil
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

func describeContentType(ct string) string {
	if ct == "" {
		return "no content type"
	}
	return ct
}

func drainClose(body io.ReadCloser) {
	// Draining lets the connection be reused; the error is irrelevant as the
	// body is discarded either way.
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 1<<20))
	_ = body.Close()
}

// pathf joins escaped path segments after the API prefix.
func pathf(segments ...string) string {
	var b strings.Builder
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(s)
	}
	return b.String()
}

// page is the envelope of every list response.
type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// list follows next_cursor until the last page and returns every item.
func list[T any](ctx context.Context, c *Client, path string, query url.Values) ([]T, error) {
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	q.Set("limit", fmt.Sprint(pageLimit))
	items := []T{}
	seen := map[string]bool{}
	for {
		var p page[T]
		if err := c.do(ctx, http.MethodGet, path, q, nil, &p); err != nil {
			return nil, err
		}
		items = append(items, p.Items...)
		if p.NextCursor == "" {
			return items, nil
		}
		if seen[p.NextCursor] {
			return nil, fmt.Errorf("GET %s%s: server returned cursor %q twice", apiPrefix, path, p.NextCursor)
		}
		seen[p.NextCursor] = true
		q.Set("cursor", p.NextCursor)
	}
}

// filterQuery builds a query from name/value pairs, leaving out empty values.
func filterQuery(pairs ...string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			q.Set(pairs[i], pairs[i+1])
		}
	}
	return q
}

func quote(s string) string { return fmt.Sprintf("%q", s) }
