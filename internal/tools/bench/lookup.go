package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"time"
)

// lookupResult is one database size.
type lookupResult struct {
	users    int
	byEmail  latency
	byName   latency
	byID     latency
	dataPlan time.Duration // median terraform plan of the data sources
	dataReqs int64
}

// latency summarises many timed calls.
type latency struct{ median, p95 time.Duration }

func summarize(ds []time.Duration) latency {
	s := sortedCopy(ds)
	return latency{median: s[len(s)/2], p95: s[len(s)*95/100]}
}

const lookupDataSources = 20

// benchLookup grows one database from 1k to 100k users and, at each size,
// times lookups through the real handler (no network: the server's own
// latency) and a plan of data sources through Terraform.
func benchLookup(ctx context.Context, _ config, sz sizes, tf *terraform, tmp string, rep *report) error {
	base := filepath.Join(tmp, "lookup")
	srv, err := startServer(base, "low")
	if err != nil {
		return err
	}
	defer func() { _ = srv.Close() }()
	h := srv.Handler()
	var users []seededUser
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range sz.lookupSizes {
		t0 := time.Now()
		more, err := seedUsers(ctx, srv.DBPath, "look", len(users), n)
		if err != nil {
			return err
		}
		users = append(users, more...)
		logf("lookup: seeded to %d users in %s", n, time.Since(t0).Round(time.Millisecond))
		res := lookupResult{users: n}
		kinds := []struct {
			into *latency
			path func(u seededUser) string
		}{
			// Mixed case: lookups are case-insensitive and must still use the index.
			{&res.byEmail, func(u seededUser) string { return "/api/v1/users?email=" + url.QueryEscape(strings.ToUpper(u.email)) }},
			{&res.byName, func(u seededUser) string {
				return "/api/v1/users?username=" + url.QueryEscape(strings.ToUpper(u.username))
			}},
			{&res.byID, func(u seededUser) string { return "/api/v1/users/" + u.id }},
		}
		for _, k := range kinds {
			// Warm up the page cache and the read pool first.
			for i := 0; i < 100; i++ {
				if _, err := serveOnce(ctx, h, srv.Token, k.path(users[rng.IntN(len(users))])); err != nil {
					return err
				}
			}
			ds := make([]time.Duration, sz.lookupSamples)
			for i := range ds {
				if ds[i], err = serveOnce(ctx, h, srv.Token, k.path(users[rng.IntN(len(users))])); err != nil {
					return err
				}
			}
			*k.into = summarize(ds)
		}
		// The data source through Terraform: half by email, half by username.
		dir := filepath.Join(base, fmt.Sprintf("data-%d", n))
		var b strings.Builder
		b.WriteString(providerBlock)
		for i := 0; i < lookupDataSources; i++ {
			u := users[rng.IntN(len(users))]
			if i%2 == 0 {
				fmt.Fprintf(&b, "\ndata \"identity_user\" \"d%d\" {\n  email = %q\n}\n", i, u.email)
			} else {
				fmt.Fprintf(&b, "\ndata \"identity_user\" \"d%d\" {\n  username = %q\n}\n", i, u.username)
			}
		}
		b.WriteString("\noutput \"ids\" {\n  value = [")
		for i := 0; i < lookupDataSources; i++ {
			fmt.Fprintf(&b, "data.identity_user.d%d.id, ", i)
		}
		b.WriteString("]\n}\n")
		if err := writeConfig(dir, b.String()); err != nil {
			return err
		}
		var plans []time.Duration
		for i := 0; i < 3; i++ {
			r, err := tf.run(ctx, dir, srv, "plan", "-input=false", "-no-color", tf.par())
			if err != nil {
				return err
			}
			plans = append(plans, r.elapsed)
			res.dataReqs = r.requests
		}
		res.dataPlan = median(plans)
		logf("lookup at %d: email %s, username %s, id %s (median); terraform plan of %d data sources %s",
			n, res.byEmail.median, res.byName.median, res.byID.median, lookupDataSources, secs(res.dataPlan))
		rep.lookup = append(rep.lookup, res)
	}
	return nil
}

// serveOnce runs one lookup through the handler in this process and times it.
func serveOnce(ctx context.Context, h http.Handler, token, path string) (time.Duration, error) {
	d, body, err := serve(ctx, h, token, path)
	if err == nil && strings.Contains(path, "?") && !strings.Contains(string(body), `"id"`) {
		err = fmt.Errorf("GET %s found nothing", path)
	}
	return d, err
}

// serve runs one GET through the handler in this process, times it and
// returns the body of its 200 answer.
func serve(ctx context.Context, h http.Handler, token, path string) (time.Duration, []byte, error) {
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	t0 := time.Now()
	h.ServeHTTP(rec, req)
	d := time.Since(t0)
	if rec.Code != http.StatusOK {
		return d, nil, fmt.Errorf("GET %s: %d %s", path, rec.Code, rec.Body.String())
	}
	return d, rec.Body.Bytes(), nil
}
