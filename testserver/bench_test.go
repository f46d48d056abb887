package testserver_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/seed/terraform-provider-identity/testserver"
)

// The handler benchmarks call the server's handler in-process (no network),
// so a profile shows the server's own cost per request:
//
//	go test -run '^$' -bench . -benchmem ./testserver
//	go test -run '^$' -bench BenchmarkCreateUser -cpuprofile cpu.prof ./testserver && go tool pprof -top cpu.prof

// benchServer starts a server for b with cheap password hashing.
func benchServer(b *testing.B) (*testserver.Server, http.Handler) {
	b.Helper()
	s := testserver.Start(b)
	return s, s.Handler()
}

// serve runs one request through h and fails b unless the status is want.
func serve(b *testing.B, h http.Handler, token, method, path string, body any, want int) []byte {
	var buf bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			b.Fatal(err)
		}
	}
	req := httptest.NewRequest(method, path, &buf)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body.String())
	}
	return rec.Body.Bytes()
}

var benchSeq atomic.Int64

func createBenchUsers(b *testing.B, s *testserver.Server, h http.Handler, n int) []map[string]string {
	b.Helper()
	out := make([]map[string]string, n)
	for i := range out {
		k := benchSeq.Add(1)
		body := serve(b, h, s.Token, "POST", "/api/v1/users", map[string]any{
			"username": fmt.Sprintf("bench%d", k), "email": fmt.Sprintf("bench%d@example.com", k),
		}, http.StatusCreated)
		var u map[string]any
		if err := json.Unmarshal(body, &u); err != nil {
			b.Fatal(err)
		}
		out[i] = map[string]string{"id": str(b, u, "id"), "username": str(b, u, "username"), "email": str(b, u, "email")}
	}
	return out
}

// BenchmarkCreateUser is POST /api/v1/users without a password: validation,
// authentication, the write transaction and its audit record.
func BenchmarkCreateUser(b *testing.B) {
	s, h := benchServer(b)
	b.ReportAllocs()
	for b.Loop() {
		k := benchSeq.Add(1)
		serve(b, h, s.Token, "POST", "/api/v1/users", map[string]any{
			"username": fmt.Sprintf("create%d", k), "email": fmt.Sprintf("create%d@example.com", k),
			"first_name": "Bench", "organization": "bench",
		}, http.StatusCreated)
	}
}

// BenchmarkCreateUserParallel is the same from GOMAXPROCS*8 goroutines: the
// single writer connection serialises the transactions.
func BenchmarkCreateUserParallel(b *testing.B) {
	s, h := benchServer(b)
	b.ReportAllocs()
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			k := benchSeq.Add(1)
			serve(b, h, s.Token, "POST", "/api/v1/users", map[string]any{
				"username": fmt.Sprintf("par%d", k), "email": fmt.Sprintf("par%d@example.com", k),
			}, http.StatusCreated)
		}
	})
}

// BenchmarkGetUser is GET /api/v1/users/{id}.
func BenchmarkGetUser(b *testing.B) {
	s, h := benchServer(b)
	users := createBenchUsers(b, s, h, 200)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		serve(b, h, s.Token, "GET", "/api/v1/users/"+users[i%len(users)]["id"], nil, http.StatusOK)
		i++
	}
}

// BenchmarkGetUserHTTP is GET /api/v1/users/{id} over loopback HTTP with
// keep-alive from 8 goroutines, as clients send it: unlike the handler
// benchmarks, each request has a context that ends with its connection.
func BenchmarkGetUserHTTP(b *testing.B) {
	s, h := benchServer(b)
	users := createBenchUsers(b, s, h, 200)
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	var next atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, err := http.NewRequest("GET", s.URL+"/api/v1/users/"+users[int(next.Add(1))%len(users)]["id"], nil)
			if err != nil {
				b.Error(err)
				return
			}
			req.Header.Set("Authorization", "Bearer "+s.Token)
			resp, err := hc.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}

// BenchmarkLookupUser is GET /api/v1/users?email= and ?username= (mixed
// case, so the case-insensitive index is what answers).
func BenchmarkLookupUser(b *testing.B) {
	s, h := benchServer(b)
	users := createBenchUsers(b, s, h, 500)
	for _, key := range []string{"email", "username"} {
		b.Run(key, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				u := users[i%len(users)]
				body := serve(b, h, s.Token, "GET", "/api/v1/users?"+key+"="+strings.ToUpper(u[key]), nil, http.StatusOK)
				if !bytes.Contains(body, []byte(u["id"])) {
					b.Fatalf("lookup of %s found %s", u[key], body)
				}
				i++
			}
		})
	}
}

// BenchmarkReplaceMembers is PUT /api/v1/groups/{id}/members with 1,000
// members, alternating between two sets that differ in one member.
func BenchmarkReplaceMembers(b *testing.B) {
	s, h := benchServer(b)
	users := createBenchUsers(b, s, h, 1001)
	var g map[string]any
	if err := json.Unmarshal(serve(b, h, s.Token, "POST", "/api/v1/groups", map[string]any{"name": "bench"}, http.StatusCreated), &g); err != nil {
		b.Fatal(err)
	}
	path := "/api/v1/groups/" + str(b, g, "id") + "/members"
	sets := [2][]string{}
	for i, u := range users {
		if i < 1000 {
			sets[0] = append(sets[0], u["id"])
		}
		if i > 0 {
			sets[1] = append(sets[1], u["id"])
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		serve(b, h, s.Token, "PUT", path, map[string]any{"user_ids": sets[i%2]}, http.StatusOK)
		i++
	}
}

// BenchmarkLogin is POST /api/v1/login at the default argon2id cost.
func BenchmarkLogin(b *testing.B) {
	s := testserver.Start(b, testserver.Options{PasswordCost: "default", LoginMaxFailures: 1 << 20})
	h := s.Handler()
	serve(b, h, s.Token, "POST", "/api/v1/users", map[string]any{
		"username": "login", "email": "login@example.com", "password": "correct horse battery staple",
	}, http.StatusCreated)
	b.ReportAllocs()
	for b.Loop() {
		serve(b, h, "", "POST", "/api/v1/login", map[string]any{"username": "login", "password": "correct horse battery staple"}, http.StatusOK)
	}
}

// str returns a string field of a decoded JSON object, failing the benchmark when it is not one.
func str(b *testing.B, obj map[string]any, key string) string {
	b.Helper()
	v, ok := obj[key].(string)
	if !ok {
		b.Fatalf("field %q is %T, not a string", key, obj[key])
	}
	return v
}

// BenchmarkStart measures starting an in-process server with a fresh
// database, which every acceptance test does (the target is milliseconds).
func BenchmarkStart(b *testing.B) {
	for b.Loop() {
		testserver.Start(b)
	}
}
