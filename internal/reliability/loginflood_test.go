package reliability

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// procStatusKiB reads a "Name:   N kB" line of /proc/PID/status.
func procStatusKiB(t *testing.T, pid int, name string) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no %s in /proc/%d/status", name, pid)
	return 0
}

// TestSoak_UnauthenticatedLoginFlood runs the standalone server at the
// default argon2id cost (19 MiB a check) and sends it waves of 400
// concurrent logins for unknown users, each from its own loopback address so
// no login throttle stops them: only the bound on concurrent hashing stands
// between the crowd and the server's memory. The server's peak resident set
// (VmHWM, /proc) must stay under 300 MiB; every answer is a 401 (checked) or
// a 503 with Retry-After (no slot in time). Before the bound, 300 such logins
// took the server from 115 MiB to 5.2 GiB.
func TestSoak_UnauthenticatedLoginFlood(t *testing.T) {
	if !soak() {
		t.Skip("set IDENTITY_SOAK=1 (make soak) to run the login flood")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc to read the server's memory")
	}
	addr := freeAddr(t)
	logs := &lockedBuffer{}
	cmd := exec.Command(binary(t, "./testserver/cmd/identity-server", "identity-server"),
		"-listen", addr, "-db", filepath.Join(t.TempDir(), "identity.db"), "-password-cost", "default")
	cmd.Env = append(os.Environ(), "IDENTITY_SUPERUSER_PASSWORD=flood-test-password")
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not start:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	pid := cmd.Process.Pid
	before := procStatusKiB(t, pid, "VmRSS")

	const crowd, waves = 400, 3
	clients := make([]*http.Client, crowd)
	for i := range clients {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 10, byte(i/250), byte(1+i%250))}, Timeout: 10 * time.Second}
		tr := &http.Transport{DialContext: d.DialContext}
		t.Cleanup(tr.CloseIdleConnections)
		clients[i] = &http.Client{Transport: tr, Timeout: 60 * time.Second}
	}
	counts := map[int]int{}
	var mu sync.Mutex
	start := time.Now()
	for w := range waves {
		var wg sync.WaitGroup
		gate := make(chan struct{})
		for i := range crowd {
			wg.Go(func() {
				<-gate
				body := fmt.Sprintf(`{"username":"nobody-%d-%d","password":"a-wrong-password"}`, w, i)
				hr, err := clients[i].Post("http://"+addr+"/api/v1/login", "application/json", bytes.NewBufferString(body))
				status := -1
				if err == nil {
					_, _ = io.Copy(io.Discard, hr.Body)
					_ = hr.Body.Close()
					status = hr.StatusCode
					if status == http.StatusServiceUnavailable && hr.Header.Get("Retry-After") == "" {
						status = -2
					}
				}
				mu.Lock()
				counts[status]++
				mu.Unlock()
			})
		}
		close(gate)
		wg.Wait()
	}
	elapsed := time.Since(start)
	peak := procStatusKiB(t, pid, "VmHWM")
	t.Logf("%d waves of %d concurrent unknown-user logins in %s: answers %v; server RSS before %.1f MiB, peak (VmHWM) %.1f MiB",
		waves, crowd, elapsed.Round(time.Millisecond), counts, float64(before)/1024, float64(peak)/1024)
	if counts[http.StatusUnauthorized]+counts[http.StatusServiceUnavailable] != crowd*waves {
		t.Errorf("answers %v: want only 401 and 503 with Retry-After", counts)
	}
	if peak >= 300*1024 {
		t.Errorf("peak RSS %.1f MiB, want under 300 MiB", float64(peak)/1024)
	}
}
