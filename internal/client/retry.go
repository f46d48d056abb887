package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
)

// errRequestTimeout is the cause of a call's context when its request
// timeout, not the caller, ended it.
var errRequestTimeout = errors.New("request timeout reached")

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

// verdict is what the retry policy makes of one attempt.
type verdict int

const (
	// final: hand the answer or error to the caller.
	final verdict = iota
	// pushback: a 429 or 503, the server asks the client to slow down and
	// did not act on the request. Retried for as long as the request timeout
	// allows, whatever the method, and not counted against MaxRetries.
	pushback
	// failure: a network error or a 500, 502 or 504 that may clear. Retried
	// only when repeating cannot apply the request twice, at most MaxRetries
	// times.
	failure
)

// classify applies the retry policy to one attempt. wrote says whether the
// request's headers were written, after which the server may have acted.
func classify(resp *http.Response, err error, idempotent, wrote bool) verdict {
	if err != nil {
		if isPermanent(err) {
			return final
		}
		if idempotent || !wrote || isConnectError(err) {
			return failure
		}
		return final
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return pushback
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		if idempotent {
			return failure
		}
	}
	return final
}

// isPermanent reports transport errors that no retry can cure: a certificate
// the client does not trust, a TLS handshake with a server that does not speak
// TLS, a redirect loop.
func isPermanent(err error) bool {
	var (
		unknownCA *x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		verify    *tls.CertificateVerificationError
		record    tls.RecordHeaderError
	)
	return errors.As(err, &unknownCA) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		errors.As(err, &verify) || errors.As(err, &record) || isPlainHTTPAnswer(err) ||
		strings.Contains(err.Error(), "stopped after 10 redirects")
}

// isPlainHTTPAnswer reports net/http's error for an https:// endpoint whose
// server answered in plain HTTP.
func isPlainHTTPAnswer(err error) bool {
	return strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}

// isConnectError reports errors that happen before any byte is sent.
func isConnectError(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// limiterOutcome is what an attempt tells the shared limiter.
func limiterOutcome(resp *http.Response) outcome {
	switch {
	case resp == nil:
		return outcomeNeutral
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		return outcomePushback
	case resp.StatusCode >= 500:
		return outcomeNeutral
	}
	return outcomeOK
}

// backoff is the wait before retry number retry (0 for the first): what the
// server asked for in Retry-After plus up to a quarter more, so clients told
// the same thing do not all come back at once; otherwise an exponential wait
// from RetryWaitMin to RetryWaitMax with jitter in its upper half.
func (c *Client) backoff(retry int, resp *http.Response) time.Duration {
	if d, ok := retryAfter(resp, c.clock.Now()); ok {
		return d + time.Duration(rand.Int64N(int64(d/4)+1)) //nolint:gosec // jitter needs no cryptographic randomness
	}
	wait := c.retryWaitMax
	if retry < 30 {
		wait = min(c.retryWaitMin<<retry, c.retryWaitMax)
	}
	if half := int64(wait / 2); half > 0 {
		wait = time.Duration(half + rand.Int64N(half+1)) //nolint:gosec // jitter needs no cryptographic randomness
	}
	return max(wait, c.retryWaitMin)
}

// retryAfter reads a 429's or 503's Retry-After.
func retryAfter(resp *http.Response, now time.Time) (time.Duration, bool) {
	if resp == nil || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable) {
		return 0, false
	}
	return parseRetryAfter(resp.Header.Get("Retry-After"), now)
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

// isLoginLockout reports the server's answer to a login for an account locked
// after too many failed logins: a 429 whose problem type is rate-limited. A
// 429 from a proxy in front of the server says nothing about the account and
// is retried like any other. The body is read and put back.
func isLoginLockout(resp *http.Response, path string) bool {
	if resp.StatusCode != http.StatusTooManyRequests || path != apiPrefix+"/login" || !isJSON(resp.Header.Get("Content-Type")) {
		return false
	}
	bufferBody(resp)
	data, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(data))
	var p problem
	return json.Unmarshal(data, &p) == nil && strings.HasSuffix(p.Type, "/rate-limited")
}

// bufferBody replaces resp's body with its first 64 KiB read into memory
// (an error answer is far smaller), closing the connection's body.
func bufferBody(resp *http.Response) {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	drainClose(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(data))
}

// attempt is one HTTP exchange of a call.
type attempt struct {
	resp  *http.Response
	err   error
	wrote bool
}

// try sends one attempt of req, holding a slot of the shared limiter.
func (c *Client) try(ctx context.Context, method, target string, body []byte, header http.Header) attempt {
	s, err := c.limiter.acquire(ctx)
	if err != nil {
		return attempt{err: err}
	}
	var wrote atomic.Bool
	actx := httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		// Once headers are written the server may act on the request.
		WroteHeaders: func() { wrote.Store(true) },
	})
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(actx, method, target, rd)
	if err != nil {
		c.limiter.release(s, outcomeNeutral)
		return attempt{err: err}
	}
	req.Header = header.Clone()
	c.requests.Add(1)
	resp, err := c.httpClient.Do(req) //nolint:bodyclose // the caller closes attempt.resp
	if w := c.limiter.release(s, limiterOutcome(resp)); w > 0 {
		c.debug(ctx, "identity server pushed back; fewer requests in flight", map[string]any{"in_flight_limit": int(w)})
	}
	return attempt{resp: resp, err: err, wrote: wrote.Load()}
}

// sendResult is the end of a call's attempts.
type sendResult struct {
	resp     *http.Response
	attempts int
	// gaveUp says why a retryable answer was returned, when it was.
	gaveUp string
	// lockout marks the server's answer to a login for a locked account.
	lockout bool
}

// retrySend runs the attempts of one call: pushback is retried until the
// call's deadline (the request timeout) would pass, failures at most
// MaxRetries times, and nothing when retries are disabled. ctx carries the
// call's deadline; its cause tells the request timeout from the caller.
func (c *Client) retrySend(ctx context.Context, method, path, target string, body []byte, header http.Header, idempotent bool) (sendResult, error) {
	deadline := c.clock.Now().Add(c.timeout)
	failures := 0
	for n := 1; ; n++ {
		a := c.try(ctx, method, target, body, header)
		if ctx.Err() != nil {
			// The caller gave up or the request timeout passed: no retry.
			if a.resp != nil {
				return sendResult{resp: a.resp, attempts: n}, nil
			}
			return sendResult{attempts: n}, a.err
		}
		v := classify(a.resp, a.err, idempotent, a.wrote)
		res := sendResult{resp: a.resp, attempts: n}
		if v == pushback && isLoginLockout(a.resp, path) {
			// Retrying before the lockout ends cannot succeed.
			res.lockout = true
			return res, nil
		}
		if v == final || c.noRetries {
			return res, a.err
		}
		if v == failure {
			failures++
			if failures > c.maxRetries {
				return res, a.err
			}
		}
		wait := c.backoff(n-1, a.resp)
		if d, ok := retryAfter(a.resp, c.clock.Now()); ok && d > c.maxRetryAfter {
			res.gaveUp = fmt.Sprintf("the server asks to retry after %s, longer than the client waits (%s)", d, c.maxRetryAfter)
			return res, nil
		}
		if c.clock.Now().Add(wait).After(deadline) {
			res.gaveUp = fmt.Sprintf("the next attempt would pass the request timeout of %s", c.timeout)
			return res, a.err
		}
		fields := map[string]any{"method": method, "path": path, "attempt": n, "wait": wait.String()}
		if a.err != nil {
			fields["error"] = unwrapURLError(a.err).Error()
		} else {
			fields["status"] = a.resp.StatusCode
		}
		c.warn(ctx, "identity API request will be retried", fields)
		if a.resp != nil {
			// Kept in memory: if the timeout passes during the wait, this
			// answer is the one reported, and its body must still be readable.
			bufferBody(a.resp)
		}
		if err := c.clock.Sleep(ctx, wait); err != nil {
			if a.resp != nil && errors.Is(err, errRequestTimeout) {
				// The last answer is still the best thing to report.
				res.gaveUp = fmt.Sprintf("the request timeout of %s passed while waiting to retry", c.timeout)
				return res, nil
			}
			if a.resp != nil {
				drainClose(a.resp.Body)
			}
			return sendResult{attempts: n}, err
		}
		if a.resp != nil {
			drainClose(a.resp.Body)
		}
	}
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
