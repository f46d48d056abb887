package client

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// attemptInfo travels in the request context so the retry policy, which
// retryablehttp calls with only the context and the outcome, knows the method
// and whether the current attempt got as far as writing the request.
type attemptInfo struct {
	method     string
	idempotent bool
	attempts   atomic.Int64
	wrote      atomic.Bool
}

type attemptInfoKey struct{}

func withAttemptInfo(ctx context.Context, info *attemptInfo) context.Context {
	ctx = context.WithValue(ctx, attemptInfoKey{}, info)
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		// Once headers are written the server may act on the request.
		WroteHeaders: func() { info.wrote.Store(true) },
	})
}

func attemptInfoFrom(ctx context.Context) *attemptInfo {
	info, _ := ctx.Value(attemptInfoKey{}).(*attemptInfo)
	return info
}

// isIdempotent reports whether repeating method is harmless. PATCH counts:
// this API's PATCH bodies carry absolute values, never increments, so applying
// one twice leaves the object as applying it once.
func isIdempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete, http.MethodPatch:
		return true
	}
	return false
}

// checkRetry decides whether an attempt is repeated. 429 and 503 mean the
// server did not act on the request, so they are retried for every method; 500,
// 502, 504 and network errors after the request was written only for
// idempotent methods, since a POST may already have created something.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	info := attemptInfoFrom(ctx)
	idempotent := info == nil || info.idempotent
	if err != nil {
		// Reuse retryablehttp's list of permanent failures (bad TLS
		// certificate, unsupported scheme, redirect loops).
		if retry, _ := retryablehttp.DefaultRetryPolicy(ctx, nil, err); !retry {
			return false, nil
		}
		if idempotent || isConnectError(err) || (info != nil && !info.wrote.Load()) {
			return true, nil
		}
		return false, nil
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok && d > c.maxRetryAfter {
			// Waiting longer than the cap would look like a hang; report it.
			return false, nil
		}
		return true, nil
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return idempotent, nil
	}
	return false, nil
}

// isConnectError reports errors that happen before any byte is sent.
func isConnectError(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// backoff waits what the server asked for in Retry-After (capped), otherwise
// an exponential wait with jitter between RetryWaitMin and RetryWaitMax.
func (c *Client) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(d, c.maxRetryAfter)
		}
	}
	wait := maxWait
	if attempt < 30 {
		wait = min(minWait<<attempt, maxWait)
	}
	// Jitter in [wait/2, wait] spreads out clients that failed together.
	if half := int64(wait / 2); half > 0 {
		wait = time.Duration(half + rand.Int64N(half+1)) //nolint:gosec // jitter needs no cryptographic randomness
	}
	return max(wait, minWait)
}

// parseRetryAfter reads Retry-After as delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// passLastResponse hands the last response back when retries run out so the
// caller reports the server's own error (e.g. 503 with its detail) rather than
// a generic "giving up" message.
func passLastResponse(resp *http.Response, err error, _ int) (*http.Response, error) {
	if resp != nil && err == nil {
		return resp, nil
	}
	if resp != nil {
		drainClose(resp.Body)
	}
	return nil, err
}

// unwrapURLError drops *url.Error's "Post \"http://...\"" prefix; the
// NetworkError message already names the endpoint and path.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}
