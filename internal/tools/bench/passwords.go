package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"
)

// passwordResult is the cost of argon2id at the default parameters, seen
// from a client of a server started with PasswordCost "default".
type passwordResult struct {
	login, createWithPW, createNoPW, badLogin time.Duration // medians
	logins                                    map[int]float64
}

func benchPasswords(ctx context.Context, sz sizes, tmp string, rep *report) error {
	srv, err := startServer(filepath.Join(tmp, "passwords"), "default")
	if err != nil {
		return err
	}
	defer func() { _ = srv.Close() }()
	cl := newAPIClient(srv.URL, srv.Token, 16)
	defer cl.close()
	const password = "correct horse battery staple"
	timed := func(fn func(i int) error) (time.Duration, error) {
		var ds []time.Duration
		for i := 0; i < sz.passwordN; i++ {
			t0 := time.Now()
			if err := fn(i); err != nil {
				return 0, err
			}
			ds = append(ds, time.Since(t0))
		}
		return median(ds), nil
	}
	res := passwordResult{logins: map[int]float64{}}
	if res.createNoPW, err = timed(func(i int) error {
		return cl.do(ctx, "POST", "/api/v1/users", map[string]any{
			"username": fmt.Sprintf("nopw-%d", i), "email": fmt.Sprintf("nopw-%d@example.com", i)}, nil)
	}); err != nil {
		return err
	}
	if res.createWithPW, err = timed(func(i int) error {
		return cl.do(ctx, "POST", "/api/v1/users", map[string]any{
			"username": fmt.Sprintf("pw-%d", i), "email": fmt.Sprintf("pw-%d@example.com", i), "password": password}, nil)
	}); err != nil {
		return err
	}
	anon := newAPIClient(srv.URL, "", 16)
	defer anon.close()
	login := func(ctx context.Context, name string) error {
		return anon.do(ctx, "POST", "/api/v1/login", map[string]any{"username": name, "password": password}, nil)
	}
	if res.login, err = timed(func(i int) error { return login(ctx, fmt.Sprintf("pw-%d", i)) }); err != nil {
		return err
	}
	// An unknown user costs the same as a known one (the dummy hash).
	if res.badLogin, err = timed(func(i int) error {
		err := login(ctx, fmt.Sprintf("nobody-%d", i))
		if err == nil {
			return fmt.Errorf("login of an unknown user succeeded")
		}
		return nil
	}); err != nil {
		return err
	}
	for _, n := range []int{1, 2, 8} {
		rate, err := hammer(ctx, n, 2*time.Second, func(ctx context.Context, worker, i int) error {
			return login(ctx, fmt.Sprintf("pw-%d", (worker+i)%sz.passwordN))
		})
		if err != nil {
			return err
		}
		res.logins[n] = rate
	}
	logf("passwords: login %s, create with password %s, without %s, unknown-user login %s; logins/s %v",
		res.login, res.createWithPW, res.createNoPW, res.badLogin, res.logins)
	rep.passwords = &res
	return nil
}
