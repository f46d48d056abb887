package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"sync"
	"syscall"
)

// wireClient is the throughput scenarios' load generator: plain HTTP/1.1 over
// kept-alive connections, one per client goroutine and server, each request
// written whole in one write and each answer read by its Content-Length, the
// way dedicated load generators (wrk, h2load) work. The load generator runs
// on the same two cores as the server, so what it spends per request is taken
// from the server: Go's net/http client hands every request to two goroutines
// per connection and parses the answer into a Response, which costs about as
// much CPU as the server's own HTTP handling. The table shows the server's
// reads with that client too (netHTTPLoad), so both figures stand side by
// side.
type wireClient struct {
	addrs []string // host:port of each server, in turn
	token string

	mu      sync.Mutex
	workers map[int]*wireWorker
}

// wireWorker is one client goroutine's connections (one per server), its
// turn among the servers and its buffers. Only that goroutine uses it.
type wireWorker struct {
	conns []*wireConn
	next  int
	req   []byte
	body  []byte
}

type wireConn struct {
	c      net.Conn
	r      *bufio.Reader
	served int // answers read on this connection
}

// newWireClient is a client of the servers at bases (http:// URLs), sending
// each request to the next in turn.
func newWireClient(bases []string, token string) (*wireClient, error) {
	w := &wireClient{token: token, workers: map[int]*wireWorker{}}
	for _, b := range bases {
		u, err := url.Parse(b)
		if err != nil || u.Scheme != "http" || u.Host == "" {
			return nil, fmt.Errorf("load generator: %q is not an http:// address", b)
		}
		w.addrs = append(w.addrs, u.Host)
	}
	return w, nil
}

func (w *wireClient) worker(n int) *wireWorker {
	w.mu.Lock()
	defer w.mu.Unlock()
	k := w.workers[n]
	if k == nil {
		k = &wireWorker{conns: make([]*wireConn, len(w.addrs))}
		w.workers[n] = k
	}
	return k
}

// close closes every connection.
func (w *wireClient) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, k := range w.workers {
		for _, c := range k.conns {
			if c != nil {
				_ = c.c.Close()
			}
		}
	}
	w.workers = map[int]*wireWorker{}
}

// do sends one request for client goroutine worker and returns the body of a
// 2xx answer, valid until that worker's next call. A connection the server
// closed while it was idle is replaced once, when nothing of the answer had
// arrived (so the server never saw the request).
func (w *wireClient) do(ctx context.Context, worker int, method, path string, body []byte) ([]byte, error) {
	k := w.worker(worker)
	i := k.next
	k.next = (k.next + 1) % len(w.addrs)
	k.req = w.request(k.req[:0], i, method, path, body)
	for attempt := 0; ; attempt++ {
		c := k.conns[i]
		if c == nil {
			var d net.Dialer
			nc, err := d.DialContext(ctx, "tcp", w.addrs[i])
			if err != nil {
				return nil, err
			}
			c = &wireConn{c: nc, r: bufio.NewReaderSize(nc, 16<<10)}
			k.conns[i] = c
		}
		status, resp, keep, err := c.roundTrip(k.req, &k.body)
		if err != nil || !keep {
			_ = c.c.Close()
			k.conns[i] = nil
		}
		if err != nil {
			if attempt == 0 && c.served > 0 && idleClosed(err) {
				continue
			}
			return nil, fmt.Errorf("%s %s: %w", method, path, err)
		}
		c.served++
		if status/100 != 2 {
			return nil, fmt.Errorf("%s %s: %d %s", method, path, status, bytes.TrimSpace(resp))
		}
		return resp, nil
	}
}

// request formats one request into buf.
func (w *wireClient) request(buf []byte, i int, method, path string, body []byte) []byte {
	buf = append(buf, method...)
	buf = append(buf, ' ')
	buf = append(buf, path...)
	buf = append(buf, " HTTP/1.1\r\nHost: "...)
	buf = append(buf, w.addrs[i]...)
	buf = append(buf, "\r\nUser-Agent: identity-bench\r\n"...)
	if w.token != "" {
		buf = append(buf, "Authorization: Bearer "...)
		buf = append(buf, w.token...)
		buf = append(buf, "\r\n"...)
	}
	if body != nil {
		buf = append(buf, "Content-Type: application/json\r\nContent-Length: "...)
		buf = strconv.AppendInt(buf, int64(len(body)), 10)
		buf = append(buf, "\r\n"...)
	}
	buf = append(buf, "\r\n"...)
	return append(buf, body...)
}

// errNoAnswer is a connection that ended before any byte of the answer.
var errNoAnswer = errors.New("the connection closed before an answer")

// idleClosed reports whether err is a kept-alive connection the server had
// closed: nothing was answered, so the request can be sent again.
func idleClosed(err error) bool {
	return errors.Is(err, errNoAnswer) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET)
}

// roundTrip writes req and reads one answer: its status, its body (into
// *body, grown as needed), and whether the connection stays open.
func (c *wireConn) roundTrip(req []byte, body *[]byte) (status int, resp []byte, keep bool, err error) {
	if _, err := c.c.Write(req); err != nil {
		return 0, nil, false, err
	}
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		if len(line) == 0 && errors.Is(err, io.EOF) {
			err = errNoAnswer
		}
		return 0, nil, false, err
	}
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, nil, false, fmt.Errorf("malformed status line %q", line)
	}
	if status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return 0, nil, false, fmt.Errorf("malformed status line %q", line)
	}
	length, keep := -1, true
	for {
		h, err := c.r.ReadSlice('\n')
		if err != nil {
			return 0, nil, false, err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		name, value, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			return 0, nil, false, fmt.Errorf("malformed header %q", h)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return 0, nil, false, fmt.Errorf("malformed Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return 0, nil, false, fmt.Errorf("the load generator reads only answers with a Content-Length, not Transfer-Encoding %q", value)
		case bytes.EqualFold(name, []byte("Connection")):
			keep = !bytes.EqualFold(value, []byte("close"))
		}
	}
	if length < 0 {
		return 0, nil, false, errors.New("an answer without Content-Length")
	}
	if cap(*body) < length {
		*body = make([]byte, length)
	}
	b := (*body)[:length]
	if _, err := io.ReadFull(c.r, b); err != nil {
		return 0, nil, false, err
	}
	return status, b, keep, nil
}
