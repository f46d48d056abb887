package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestWireClientSendsRequestsAndReadsAnswers(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch {
		case r.Method == "POST" && r.Header.Get("Content-Type") == "application/json":
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte(`{"echo":` + string(body) + `}`))
		case r.URL.Path == "/missing":
			http.Error(w, "no such thing", http.StatusNotFound)
		default:
			if r.Method != "GET" || r.URL.Path != "/api/v1/users/x" {
				http.Error(w, "unexpected request", http.StatusBadRequest)
				return
			}
			_, _ = io.WriteString(w, "user x")
		}
	}))
	defer srv.Close()

	wc, err := newWireClient([]string{srv.URL}, "tok")
	if err != nil {
		t.Fatal(err)
	}
	defer wc.close()
	ctx := context.Background()
	for i := range 3 {
		got, err := wc.do(ctx, 0, "GET", "/api/v1/users/x", nil)
		if err != nil || string(got) != "user x" {
			t.Fatalf("GET %d: %q, %v", i, got, err)
		}
	}
	got, err := wc.do(ctx, 1, "POST", "/api/v1/users", []byte(`{"a":1}`))
	if err != nil || string(got) != `{"echo":{"a":1}}` {
		t.Fatalf("POST: %q, %v", got, err)
	}
	if _, err := wc.do(ctx, 0, "GET", "/missing", nil); err == nil || !strings.Contains(err.Error(), "404 no such thing") {
		t.Fatalf("a 404 should be an error naming the status and the answer, got %v", err)
	}
}

func TestWireClientReplacesAConnectionTheServerClosedWhileIdle(t *testing.T) {
	var opened atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok"))
	}))
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	wc, err := newWireClient([]string{srv.URL}, "")
	if err != nil {
		t.Fatal(err)
	}
	defer wc.close()
	ctx := context.Background()
	if _, err := wc.do(ctx, 0, "GET", "/", nil); err != nil {
		t.Fatal(err)
	}
	srv.CloseClientConnections()
	if got, err := wc.do(ctx, 0, "GET", "/", nil); err != nil || string(got) != "ok" {
		t.Fatalf("after the server closed the idle connection: %q, %v", got, err)
	}
	if n := opened.Load(); n != 2 {
		t.Fatalf("connections opened: %d, want 2 (the first, and its replacement)", n)
	}
}

func TestWireClientRefusesChunkedAnswers(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("part"))
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		_, _ = w.Write([]byte("rest"))
	}))
	defer srv.Close()
	wc, err := newWireClient([]string{srv.URL}, "")
	if err != nil {
		t.Fatal(err)
	}
	defer wc.close()
	if _, err := wc.do(context.Background(), 0, "GET", "/", nil); err == nil || !strings.Contains(err.Error(), "Content-Length") {
		t.Fatalf("a chunked answer should be refused naming Content-Length, got %v", err)
	}
}

func TestWireClientSendsEachRequestToTheNextServer(t *testing.T) {
	var a, b atomic.Int64
	sa := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { a.Add(1) }))
	defer sa.Close()
	sb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { b.Add(1) }))
	defer sb.Close()
	wc, err := newWireClient([]string{sa.URL, sb.URL}, "")
	if err != nil {
		t.Fatal(err)
	}
	defer wc.close()
	for range 6 {
		if _, err := wc.do(context.Background(), 0, "GET", "/", nil); err != nil {
			t.Fatal(err)
		}
	}
	if a.Load() != 3 || b.Load() != 3 {
		t.Fatalf("requests per server: %d and %d, want 3 and 3", a.Load(), b.Load())
	}
	if _, err := newWireClient([]string{"https://example.com"}, ""); err == nil {
		t.Fatal("an https:// address should be refused")
	}
}
