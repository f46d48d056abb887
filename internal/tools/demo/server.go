package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	healthTimeout = time.Minute
	stopTimeout   = 15 * time.Second
)

type serverConfig struct {
	bin, db, logPath, pidPath string
	password, signingKey      string
}

// server is a running identity-server child process.
type server struct {
	cmd     *exec.Cmd
	url     string
	logPath string
	pidPath string
	exited  chan struct{} // closed when the process has been waited for
	once    sync.Once
	stopErr error
}

// startServer starts the server on a free loopback port and waits until
// /healthz answers. A port taken between choosing and binding it is retried
// with another one.
func startServer(ctx context.Context, cfg serverConfig) (*server, error) {
	logFile, err := os.Create(cfg.logPath)
	if err != nil {
		return nil, err
	}
	// The child holds its own descriptor; this one only serves to start it.
	defer func() { _ = logFile.Close() }()

	const attempts = 3
	var lastErr error
	for attempt := 1; attempt <= attempts; attempt++ {
		addr, err := freeLoopbackAddr()
		if err != nil {
			return nil, err
		}
		s, err := launch(cfg, addr, logFile)
		if err != nil {
			return nil, err
		}
		err = s.waitHealthy(ctx)
		if err == nil {
			return s, nil
		}
		_ = s.stop()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		lastErr = err
		if !strings.Contains(tail(cfg.logPath, 5), "address already in use") {
			break
		}
	}
	return nil, fmt.Errorf("the server did not start: %w\nlast lines of %s:\n%s", lastErr, cfg.logPath, tail(cfg.logPath, 20))
}

func launch(cfg serverConfig, addr string, logFile *os.File) (*server, error) {
	// The low password-hashing cost keeps logins quick; the demo's passwords
	// guard nothing.
	cmd := exec.Command(cfg.bin, "-listen", addr, "-db", cfg.db, "-password-cost", "low")
	// Later entries win, so these replace any the caller has set.
	cmd.Env = append(os.Environ(),
		"IDENTITY_SUPERUSER_PASSWORD="+cfg.password,
		"IDENTITY_SIGNING_KEY="+cfg.signingKey,
	)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", cfg.bin, err)
	}
	s := &server{
		cmd:     cmd,
		url:     "http://" + addr,
		logPath: cfg.logPath,
		pidPath: cfg.pidPath,
		exited:  make(chan struct{}),
	}
	go func() {
		_ = cmd.Wait()
		close(s.exited)
	}()
	if err := os.WriteFile(cfg.pidPath, []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o600); err != nil {
		_ = s.stop()
		return nil, err
	}
	return s, nil
}

// freeLoopbackAddr asks the kernel for a free port on 127.0.0.1.
func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		return "", err
	}
	return addr, nil
}

func (s *server) waitHealthy(ctx context.Context) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(healthTimeout)
	for {
		select {
		case <-s.exited:
			return fmt.Errorf("it exited (%s)", s.cmd.ProcessState)
		default:
		}
		if healthy(ctx, client, s.url+"/healthz") {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer from %s/healthz within %s", s.url, healthTimeout)
		}
		if err := waitOrCancel(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
}

func healthy(ctx context.Context, client *http.Client, url string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// stop asks the server to shut down gracefully, kills it if it does not within
// stopTimeout, and waits for it. It is safe to call more than once.
func (s *server) stop() error {
	s.once.Do(func() {
		defer func() { _ = os.Remove(s.pidPath) }()
		select {
		case <-s.exited:
			return
		default:
		}
		if err := terminate(s.cmd.Process); err != nil && !errors.Is(err, os.ErrProcessDone) {
			_ = s.cmd.Process.Kill()
		}
		select {
		case <-s.exited:
		case <-time.After(stopTimeout):
			_ = s.cmd.Process.Kill()
			<-s.exited
			s.stopErr = fmt.Errorf("the server did not stop within %s and was killed", stopTimeout)
		}
	})
	return s.stopErr
}

// stopStaleServer stops a server left behind by an earlier run that could not
// clean up (killed with SIGKILL, say), so it does not hold the database.
func stopStaleServer(pidPath, bin string, d *demo) {
	pid, ok := readPID(pidPath)
	if !ok {
		return
	}
	defer func() { _ = os.Remove(pidPath) }()
	if !processAlive(pid) || !runsBinary(pid, bin) {
		return
	}
	d.info("stopping a server left running by an earlier run (pid %d)", pid)
	p, err := os.FindProcess(pid)
	if err != nil {
		return
	}
	_ = terminate(p)
	for deadline := time.Now().Add(stopTimeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if !processAlive(pid) {
			return
		}
	}
	_ = p.Kill()
}

// acquireLock keeps two demos from sharing one folder; a lock whose process
// is gone is taken over.
func acquireLock(path string) (release func(), err error) {
	if pid, ok := readPID(path); ok && pid != os.Getpid() && processAlive(pid) {
		return nil, fmt.Errorf("another demo (pid %d) is using this folder; wait for it or stop it (or, if none is running, delete %s)", pid, path)
	}
	if err := os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600); err != nil {
		return nil, err
	}
	return func() { _ = os.Remove(path) }, nil
}

func readPID(path string) (int, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	return pid, err == nil && pid > 0
}

// tail returns the last n lines of a file, indented, for error messages.
func tail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return "    (" + err.Error() + ")"
	}
	defer func() { _ = f.Close() }()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		lines = append(lines, "    "+sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	if len(lines) == 0 {
		return "    (empty)"
	}
	return strings.Join(lines, "\n")
}
