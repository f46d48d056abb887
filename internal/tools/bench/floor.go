package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// floorResult is one N of the identity_user vs terraform_data comparison.
type floorResult struct {
	n int
	// per phase: identity_user and terraform_data times, one per repetition
	a, b, c map[string][]time.Duration
	ratio   map[string][]float64 // per repetition, A/B of that same repetition
	ratioC  map[string][]float64 // per repetition, A/C (C: the no-op plugin resource), when C ran
	reqs    map[string]int64     // server requests in the last identity_user repetition
}

// noopMaxN is the largest N at which the no-op plugin provider (C) runs too,
// to keep the full run near a quarter of an hour.
const noopMaxN = 500

func noopHCL(n int) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    benchnoop = { source = "seed/benchnoop" }
  }
}

resource "benchnoop_item" "u" {
  count    = %d
  username = "bench-${count.index}"
  email    = "bench-${count.index}@example.com"
}
`, n)
}

var phases = []string{"apply", "plan", "destroy"}

func userHCL(n int) string {
	return providerBlock + fmt.Sprintf(`
resource "identity_user" "u" {
  count    = %d
  username = "bench-${count.index}"
  email    = "bench-${count.index}@example.com"
}
`, n)
}

// dataHCL is the same shape with Terraform's built-in terraform_data, which
// stores its input in state and talks to no server: Terraform's own cost.
func dataHCL(n int) string {
	return fmt.Sprintf(`
resource "terraform_data" "u" {
  count = %d
  input = {
    username = "bench-${count.index}"
    email    = "bench-${count.index}@example.com"
  }
}
`, n)
}

// benchFloor alternates A (identity_user) and B (terraform_data) runs of
// apply, plan and destroy, ABBA order across repetitions so drift in machine
// load hits both sides alike.
func benchFloor(ctx context.Context, cfg config, sz sizes, tf *terraform, tmp string, rep *report) error {
	for _, n := range sz.floorN {
		srv, err := startServer(filepath.Join(tmp, fmt.Sprintf("floor-%d", n)), "low")
		if err != nil {
			return err
		}
		dirA := filepath.Join(tmp, fmt.Sprintf("floor-%d", n), "identity")
		dirB := filepath.Join(tmp, fmt.Sprintf("floor-%d", n), "data")
		if err := writeConfig(dirA, userHCL(n)); err != nil {
			return err
		}
		if err := writeConfig(dirB, dataHCL(n)); err != nil {
			return err
		}
		dirC := filepath.Join(tmp, fmt.Sprintf("floor-%d", n), "noop")
		withC := n <= noopMaxN
		if err := writeConfig(dirC, noopHCL(n)); err != nil {
			return err
		}
		res := floorResult{n: n, a: map[string][]time.Duration{}, b: map[string][]time.Duration{}, c: map[string][]time.Duration{},
			ratio: map[string][]float64{}, ratioC: map[string][]float64{}, reqs: map[string]int64{}}
		cycle := func(dir string, s *benchServer, into map[string][]time.Duration, count bool) error {
			for _, ph := range phases {
				var r tfRun
				var err error
				switch ph {
				case "apply":
					r, err = tf.apply(ctx, dir, s)
				case "plan":
					r, err = tf.plan(ctx, dir, s)
				case "destroy":
					r, err = tf.destroy(ctx, dir, s)
				}
				if err != nil {
					return err
				}
				into[ph] = append(into[ph], r.elapsed)
				if count {
					res.reqs[ph] = r.requests
				}
			}
			return nil
		}
		type variant func() error
		runA := func() error { return cycle(dirA, srv, res.a, true) }
		runB := func() error { return cycle(dirB, nil, res.b, false) }
		runC := func() error { return cycle(dirC, nil, res.c, false) }
		orders := [][]variant{{runA, runB, runC}, {runC, runB, runA}, {runB, runC, runA}, {runA, runC, runB}}
		if !withC {
			orders = [][]variant{{runA, runB}, {runB, runA}}
		}
		reps := cfg.reps
		if n >= 2000 && reps > 2 {
			reps = 2 // each repetition takes minutes at this size
		}
		for i := 0; i < reps; i++ {
			for _, run := range orders[i%len(orders)] {
				if err := run(); err != nil {
					_ = srv.Close()
					return err
				}
			}
			for _, ph := range phases {
				res.ratio[ph] = append(res.ratio[ph], res.a[ph][i].Seconds()/res.b[ph][i].Seconds())
				if withC {
					res.ratioC[ph] = append(res.ratioC[ph], res.a[ph][i].Seconds()/res.c[ph][i].Seconds())
				}
			}
			logf("floor N=%d rep %d: %s", n, i+1, floorLine(res, i))
		}
		if err := srv.Close(); err != nil {
			return err
		}
		rep.floor = append(rep.floor, res)
	}
	return nil
}

func floorLine(r floorResult, i int) string {
	var parts []string
	for _, ph := range phases {
		line := fmt.Sprintf("%s %s/%s=%.2f", ph, secs(r.a[ph][i]), secs(r.b[ph][i]), r.ratio[ph][i])
		if len(r.ratioC[ph]) > i {
			line += fmt.Sprintf(" noop %s (%.2f)", secs(r.c[ph][i]), r.ratioC[ph][i])
		}
		parts = append(parts, line)
	}
	return strings.Join(parts, "  ")
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }
