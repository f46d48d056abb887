// Command bench measures the provider and the reference server as ratios
// taken in one run: Terraform with identity_user against Terraform with the
// built-in terraform_data (Terraform's own cost per resource), lookups at
// 100k users against 1k, server writes against plain SQLite inserts on the
// same schema and pragmas, and an access decision at 10,000 grants against
// 100. Absolute times on shared machines are noise
// from run to run; ratios measured side by side are not.
//
// It builds the provider, points Terraform at it with dev_overrides in a CLI
// configuration of its own, runs the identity server in-process behind a
// request-counting handler, and writes a Markdown report.
//
//	go run ./internal/tools/bench [-quick] [-out internal/tools/bench/RESULTS.md]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"
)

// scenario is one part of the report, named as -only names it.
type scenario struct {
	name      string
	terraform bool // needs the provider built and Terraform set up
	run       func(ctx context.Context, s step) error
}

// step is what every scenario may use.
type step struct {
	cfg config
	sz  sizes
	tf  *terraform
	tmp string
	rep *report
}

// scenarios run in this order: the server's own measurements first, in a
// fresh process, then the Terraform ones.
var scenarios = []scenario{
	{"throughput", false, func(ctx context.Context, s step) error { return benchThroughput(ctx, s.sz, s.tmp, s.rep) }},
	{"postgres", false, func(ctx context.Context, s step) error { return benchPostgres(ctx, s.sz, s.rep) }},
	{"passwords", false, func(ctx context.Context, s step) error { return benchPasswords(ctx, s.sz, s.tmp, s.rep) }},
	{"decision", false, func(ctx context.Context, s step) error { return benchDecision(ctx, s.sz, s.tmp, s.rep) }},
	{"floor", true, func(ctx context.Context, s step) error { return benchFloor(ctx, s.cfg, s.sz, s.tf, s.tmp, s.rep) }},
	{"pipeline", true, func(ctx context.Context, s step) error { return benchPipeline(ctx, s.cfg, s.sz, s.tf, s.tmp, s.rep) }},
	{"largegroup", true, func(ctx context.Context, s step) error { return benchLargeGroup(ctx, s.cfg, s.sz, s.tf, s.tmp, s.rep) }},
	{"lookup", true, func(ctx context.Context, s step) error { return benchLookup(ctx, s.cfg, s.sz, s.tf, s.tmp, s.rep) }},
}

// scenarioNames lists the scenarios in the order they run.
var scenarioNames = func() []string {
	var names []string
	for _, s := range scenarios {
		names = append(names, s.name)
	}
	return names
}()

type config struct {
	quick       bool
	out         string
	terraform   string
	reps        int
	parallelism int
	only        string
	keep        bool
	large       int
	floorN      string
	cpuProfile  string
	clients     string
}

// sizes are the scenario sizes; -quick shrinks them for development.
type sizes struct {
	floorN        []int
	pipeUsers     int
	pipeGroups    int
	pipeMembers   int
	pipePerms     int
	largeGroup    int
	setApplySizes []int
	lookupSizes   []int
	lookupSamples int
	throughputDur time.Duration
	// throughputReps is how many times the whole SQLite throughput
	// comparison runs at each concurrency level (medians are reported).
	throughputReps int
	clients        []int
	passwordN      int
	// decisionGrants are the database sizes the access decision is compared at.
	decisionGrants  []int
	decisionSamples int
}

func fullSizes() sizes {
	return sizes{
		floorN:    []int{100, 500, 2000},
		pipeUsers: 2000, pipeGroups: 100, pipeMembers: 2000, pipePerms: 500,
		largeGroup: 10000, setApplySizes: []int{1000},
		lookupSizes: []int{1000, 10000, 100000}, lookupSamples: 3000,
		throughputDur: 4 * time.Second, throughputReps: 5,
		clients:        []int{1, 8, 32},
		passwordN:      20,
		decisionGrants: []int{100, 10000}, decisionSamples: 3000,
	}
}

func quickSizes() sizes {
	return sizes{
		floorN:    []int{20, 50},
		pipeUsers: 100, pipeGroups: 10, pipeMembers: 100, pipePerms: 30,
		largeGroup: 1000, setApplySizes: []int{200, 500},
		lookupSizes: []int{1000, 10000}, lookupSamples: 500,
		throughputDur: time.Second, throughputReps: 1,
		clients:        []int{1, 8, 32},
		passwordN:      5,
		decisionGrants: []int{100, 10000}, decisionSamples: 500,
	}
}

func main() {
	var cfg config
	flag.BoolVar(&cfg.quick, "quick", false, "small sizes, for development (minutes, not a quarter hour)")
	flag.StringVar(&cfg.out, "out", "internal/tools/bench/RESULTS.md", "where to write the Markdown report")
	flag.StringVar(&cfg.terraform, "terraform", "terraform", "the Terraform binary")
	flag.IntVar(&cfg.reps, "reps", 3, "A/B repetitions per size in the floor comparison (medians are reported)")
	flag.IntVar(&cfg.parallelism, "parallelism", 10, "terraform -parallelism, the same for every run")
	flag.StringVar(&cfg.only, "only", "", "comma-separated scenarios to run: "+strings.Join(scenarioNames, ",")+" (default all)")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the temporary folder (configurations, state, logs)")
	flag.StringVar(&cfg.floorN, "floor", "", "comma-separated N for the terraform_data comparison (default 100,500,2000; 20,50 with -quick)")
	flag.IntVar(&cfg.large, "large", 0, "members of the large group (default 10,000; 1,000 with -quick)")
	flag.StringVar(&cfg.clients, "clients", "", "comma-separated concurrent clients of the throughput scenarios (default 1,8,32)")
	flag.StringVar(&cfg.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run (server, load generator and floor: one process) to this file")
	flag.DurationVar(&slowRequest, "slow", 0, "log server requests that take at least this long (0: never)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func (c config) wants(name string) bool {
	if c.only == "" {
		return true
	}
	for _, s := range strings.Split(c.only, ",") {
		if strings.TrimSpace(s) == name {
			return true
		}
	}
	return false
}

func run(ctx context.Context, cfg config) error {
	if cfg.only != "" {
		for _, s := range strings.Split(cfg.only, ",") {
			if !slices.Contains(scenarioNames, strings.TrimSpace(s)) {
				return fmt.Errorf("-only: no scenario %q (the scenarios: %s)", s, strings.Join(scenarioNames, ", "))
			}
		}
	}
	sz := fullSizes()
	if cfg.quick {
		sz = quickSizes()
	}
	var err error
	if cfg.floorN != "" {
		if sz.floorN, err = positiveInts("-floor", cfg.floorN); err != nil {
			return err
		}
	}
	if cfg.clients != "" {
		if sz.clients, err = positiveInts("-clients", cfg.clients); err != nil {
			return err
		}
	}
	if cfg.large > 0 {
		sz.largeGroup = cfg.large
	}
	if cfg.cpuProfile != "" {
		f, err := os.Create(cfg.cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			_ = f.Close()
			return err
		}
		defer func() {
			pprof.StopCPUProfile()
			_ = f.Close()
		}()
	}
	tmp, err := os.MkdirTemp("", "identity-bench-")
	if err != nil {
		return err
	}
	if cfg.keep {
		logf("keeping %s", tmp)
	} else {
		defer func() { _ = os.RemoveAll(tmp) }()
	}

	started := time.Now()
	env := describeMachine(ctx, cfg)
	rep := &report{cfg: cfg, sizes: sz, env: env, started: started}

	st := step{cfg: cfg, sz: sz, tmp: tmp, rep: rep}
	for _, s := range scenarios {
		if s.terraform && cfg.wants(s.name) {
			logf("building the provider")
			if st.tf, err = setupTerraform(ctx, cfg, tmp); err != nil {
				return err
			}
			break
		}
	}
	for _, s := range scenarios {
		if !cfg.wants(s.name) {
			continue
		}
		t0 := time.Now()
		logf("== %s", s.name)
		// A failed scenario is reported and the others still run: one bad
		// step should not cost a quarter of an hour of figures.
		if err := s.run(ctx, st); err != nil {
			if ctx.Err() != nil {
				return err
			}
			logf("%s failed: %v", s.name, err)
			rep.failures = append(rep.failures, fmt.Sprintf("%s: %v", s.name, err))
			continue
		}
		logf("== %s done in %s", s.name, time.Since(t0).Round(time.Second))
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	rep.env.loadAfter = loadAverage()
	rep.elapsed = time.Since(started)
	if err := rep.write(cfg.out); err != nil {
		return err
	}
	logf("wrote %s in %s", cfg.out, rep.elapsed.Round(time.Second))
	return nil
}

// positiveInts parses the comma-separated positive numbers of a flag.
func positiveInts(flagName, list string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%s: %q is not a positive number", flagName, f)
		}
		out = append(out, n)
	}
	return out, nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}
