package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/seed/terraform-provider-identity/testserver"
)

// benchServer is the in-process identity server behind a listener of our own
// whose handler counts requests, so requests per resource are counted on the
// server's side whatever the provider's client does.
type benchServer struct {
	*testserver.Server
	URL      string // the counting listener, not the server's own
	requests atomic.Int64
	conns    atomic.Int64 // connections accepted
	http     *http.Server
	ln       net.Listener
	handler  http.Handler
	done     chan error
}

// slowRequest, when set (-slow), logs every request that takes at least that long.
var slowRequest time.Duration

// startServer starts a server on a fresh database in dir with the given
// password cost ("low" or "default").
func startServer(dir, cost string) (*benchServer, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return startServerDB(filepath.Join(dir, "identity.db"), cost)
}

func startServerDB(dbPath, cost string) (*benchServer, error) {
	return startServerWith(testserver.Options{DBPath: dbPath, PasswordCost: cost})
}

// startServerWith starts a server with o, a fresh superuser password, and no
// login lockout (the benchmarks log in many times on purpose).
func startServerWith(o testserver.Options) (*benchServer, error) {
	o.SuperuserPassword = randomHex(16)
	o.LoginMaxFailures = 1 << 20
	s, err := testserver.New(o)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	b := &benchServer{Server: s, URL: "http://" + ln.Addr().String(), ln: ln, handler: s.Handler(), done: make(chan error, 1)}
	b.http = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.requests.Add(1)
		t0 := time.Now()
		b.handler.ServeHTTP(w, r)
		if d := time.Since(t0); slowRequest > 0 && d >= slowRequest {
			logf("slow request: %s %s took %s", r.Method, r.URL.Path, d.Round(time.Millisecond))
		}
	}), ReadHeaderTimeout: 10 * time.Second, ConnState: func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			b.conns.Add(1)
		}
	}}
	go func() { b.done <- b.http.Serve(ln) }()
	return b, nil
}

// Requests returns how many requests the counting listener has served.
func (b *benchServer) Requests() int64 { return b.requests.Load() }

func (b *benchServer) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := b.http.Shutdown(ctx)
	if serveErr := <-b.done; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return errors.Join(err, b.Server.Close())
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// apiClient is a small HTTP/JSON client on Go's net/http for the scenarios
// that seed data or time single requests: keep-alive connections, enough idle
// ones for every concurrent caller.
type apiClient struct {
	base  string
	token string
	hc    *http.Client
}

func newAPIClient(base, token string, conns int) *apiClient {
	tr := &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true, IdleConnTimeout: 90 * time.Second}
	tr.MaxIdleConns = conns * 2
	tr.MaxIdleConnsPerHost = conns * 2
	return &apiClient{base: base, token: token, hc: &http.Client{Transport: tr, Timeout: 2 * time.Minute}}
}

func (c *apiClient) close() { c.hc.CloseIdleConnections() }

// do sends one request and decodes a 2xx JSON answer into out (when not nil).
func (c *apiClient) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, bytes.TrimSpace(data))
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}
