package main

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// sampleReport has every section filled with made-up figures.
func sampleReport(cfg config) *report {
	d := func(ms ...int) []time.Duration {
		var out []time.Duration
		for _, m := range ms {
			out = append(out, time.Duration(m)*time.Millisecond)
		}
		return out
	}
	floor := func(n int, withNoop bool, noop float64) floorResult {
		f := floorResult{n: n, a: map[string][]time.Duration{}, b: map[string][]time.Duration{}, c: map[string][]time.Duration{},
			ratio: map[string][]float64{}, ratioC: map[string][]float64{}, reqs: map[string]int64{}}
		for _, ph := range phases {
			f.a[ph], f.b[ph] = d(1500, 1500, 1500), d(1000, 1000, 1000)
			f.ratio[ph] = []float64{1.4, 1.5, 1.6}
			if withNoop {
				f.c[ph] = d(1400, 1400, 1400)
				f.ratioC[ph] = []float64{noop, noop, noop}
			}
			f.reqs[ph] = int64(n + 1)
		}
		return f
	}
	_, pipe := pipelineHCL(2000, 100, 2000, 500)
	pipe.runs = map[string]tfRun{"apply": {elapsed: time.Second, requests: 3652}, "plan": {elapsed: time.Second, requests: 3651},
		"destroy": {elapsed: time.Second, requests: 7303}}
	lg := &largeGroupResult{members: 10000, runs: map[string]tfRun{"plan (refresh, no changes) #2": {elapsed: 3 * time.Second, requests: 3}},
		order: []string{"plan (refresh, no changes) #2"}, dataPlans: d(2000), planRatios: []float64{1.5},
		applies: []setApply{{n: 1000, members: time.Second, data: time.Second, membersPlan: time.Second, dataPlan: time.Second,
			membersSwap: time.Second, dataSwap: time.Second}}}
	lat := latency{median: time.Millisecond, p95: 2 * time.Millisecond}
	return &report{
		cfg: cfg, sizes: fullSizes(), started: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), elapsed: 40 * time.Minute,
		env:        machine{cpu: "CPU", cores: 2, commit: commitState("abc1234", []byte(" M report.go\n"), nil)},
		floor:      []floorResult{floor(100, true, 1.03), floor(500, true, 1.2), floor(2000, false, 0)},
		pipeline:   &pipe,
		largeGroup: lg,
		lookup:     []lookupResult{{users: 1000, byEmail: lat, byName: lat, byID: lat, dataPlan: time.Second}, {users: 100000, byEmail: lat, byName: lat, byID: lat, dataPlan: time.Second}},
		throughput: []throughputResult{{clients: 8, server: rates{creates: 300, reads: 1}, netHTTP: rates{creates: 250, reads: 0.5}, sql: rates{creates: 400, reads: 2}}},
		postgres: &postgresReport{results: []postgresResult{{clients: 8, one: rates{creates: 100, reads: 600}, replicas: rates{creates: 90, reads: 900},
			bare: rates{creates: 200, reads: 1000}}}},
		passwords: &passwordResult{logins: map[int]float64{1: 1, 2: 2, 8: 3}},
		decision: &decisionResult{grants: []int{100, 10000}, via: []int{3, 5}, seed: d(20, 300),
			handler: []latency{lat, {median: 1600 * time.Microsecond, p95: 3 * time.Millisecond}},
			http:    []latency{lat, {median: 1200 * time.Microsecond, p95: 3 * time.Millisecond}}},
	}
}

func TestReportRendersEverySectionWithoutFormatErrors(t *testing.T) {
	out := sampleReport(config{parallelism: 10, reps: 3}).render()
	if i := strings.Index(out, "%!"); i >= 0 {
		t.Fatalf("format error in the report: %q", out[max(0, i-80):min(len(out), i+80)])
	}
	for _, want := range []string{
		"Run: full, every scenario, as `make bench` runs it.\n",
		"| commit | abc1234 (tree with uncommitted changes) |\n",
		"| apply within 1.3× of terraform_data at N = 500 | 1.50× (1.20× the no-op plugin with the same schema) | **missed** |\n",
		"| plan of a 10000-member identity_group_members under 2 s, a handful of requests | 3.00s, 3 requests | **missed** |\n",
		"| lookup by email at 100k users within 1.5× of 1k | 1.00× | met |\n",
		"| server creates at 8 clients ≥ 50% of bare SQLite | 75% (300/s vs 400/s; 62% with Go's net/http client as the load generator); PostgreSQL: one server 50%, 3 replicas 45% of bare PostgreSQL (100/s, 90/s vs 200/s) | met |\n",
		"| server reads at 8 clients ≥ 50% of bare SQLite | 50% (1/s vs 2/s; 25% with Go's net/http client as the load generator); PostgreSQL: one server 60%, 3 replicas 90% of bare PostgreSQL (600/s, 900/s vs 1000/s) | met |\n",
		"| 8 | 100 / 90 / 200 | **50%** / **45%** | 600 / 900 / 1000 | **60%** / **90%** |\n",
		"| access decision at 10k grants within 1.5× of 100 (user in 50 groups) | 1.60× through the handler, 1.20× over HTTP | **missed** |\n",
		"| 10k | 0.30s | 1.600 ms / 3.000 ms | 1.60× | 1.200 ms / 3.000 ms | 1.20× | 5 |\n",
		"identity_user against the no-op plugin (the ratio to no-op column): 1.03× to 1.20× over every N and phase it ran at.\n",
		"One configuration: 2000 `identity_user`, 100 `identity_group`, 2000 memberships (1000 `identity_group_membership` pairs on 50 groups, " +
			"1000 members in 50 `identity_group_members` sets), 500 `identity_permission` (a third each to users, groups and a role): " +
			"3650 resources. Applied once",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, section := range []string{"## Targets\n", "## 1. ", "## 2. ", "## 3. ", "## 4. ", "## 5. ", "## 6. ", "## 7. ", "## Reproduce"} {
		if n := strings.Count(out, "\n"+section); n != 1 {
			t.Errorf("section %q appears %d times", section, n)
		}
	}
}

// The hand-written analysis lives in notes.md only: the report ends with it,
// once, and report.go does not carry a copy of any of its sections.
func TestReportEmbedsNotesOnce(t *testing.T) {
	out := sampleReport(config{}).render()
	if !strings.HasSuffix(out, notes) {
		t.Fatal("the report does not end with notes.md")
	}
	src, err := os.ReadFile("report.go")
	if err != nil {
		t.Fatal(err)
	}
	var headings int
	for _, line := range strings.Split(notes, "\n") {
		if !strings.HasPrefix(line, "## ") {
			continue
		}
		headings++
		if n := strings.Count(out, line+"\n"); n != 1 {
			t.Errorf("notes heading %q appears %d times in the report", line, n)
		}
		if strings.Contains(string(src), line) {
			t.Errorf("report.go holds notes.md's %q", line)
		}
	}
	if headings == 0 {
		t.Fatal("notes.md has no sections")
	}
}

func TestRunMode(t *testing.T) {
	for _, c := range []struct {
		cfg  config
		want string
	}{
		{config{}, "full, every scenario, as `make bench` runs it"},
		{config{quick: true}, "quick (`-quick`: small sizes), every scenario; not the figures to commit"},
		{config{only: "decision"}, "full, only decision; not the figures to commit"},
		{config{large: 500}, "full, every scenario, sizes changed with -floor, -large or -clients; not the figures to commit"},
		{config{clients: "8"}, "full, every scenario, sizes changed with -floor, -large or -clients; not the figures to commit"},
	} {
		if got := runMode(c.cfg); got != c.want {
			t.Errorf("runMode(%+v) = %q, want %q", c.cfg, got, c.want)
		}
	}
}

func TestCommitState(t *testing.T) {
	for _, c := range []struct {
		porcelain string
		err       error
		want      string
	}{
		{"", nil, "abc1234 (clean tree)"},
		{"\n", nil, "abc1234 (clean tree)"},
		{" M internal/tools/bench/report.go\n", nil, "abc1234 (tree with uncommitted changes)"},
		{"?? cpu.prof\n", nil, "abc1234 (tree with uncommitted changes)"},
		{"", errors.New("exit status 128"), "abc1234 (tree state unknown: exit status 128)"},
	} {
		if got := commitState("abc1234", []byte(c.porcelain), c.err); got != c.want {
			t.Errorf("commitState(%q, %v) = %q, want %q", c.porcelain, c.err, got, c.want)
		}
	}
}

func TestOnlyRefusesAnUnknownScenario(t *testing.T) {
	err := run(context.Background(), config{only: "floor,nosuch"})
	if err == nil || !strings.Contains(err.Error(), `no scenario "nosuch"`) {
		t.Fatalf("run with -only nosuch: %v", err)
	}
}

func TestReportSaysWhyPostgresWasSkipped(t *testing.T) {
	r := sampleReport(config{parallelism: 10, reps: 3, only: "throughput,postgres", quick: true})
	r.postgres = &postgresReport{skipped: "PostgreSQL is not available (initdb was not found)"}
	out := r.render()
	for _, want := range []string{
		"## 5b. Server throughput on PostgreSQL, one server and 3 replicas\n\nskipped: PostgreSQL is not available (initdb was not found).\n",
		"| server reads at 8 clients ≥ 50% of bare SQLite | 50% (1/s vs 2/s; 25% with Go's net/http client as the load generator); PostgreSQL skipped | met |\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestThroughputRatiosAreMediansOfRepetitions(t *testing.T) {
	reps := []throughputRep{
		{server: rates{creates: 100, reads: 40}, netHTTP: rates{creates: 90, reads: 30}, sql: rates{creates: 100, reads: 100}},
		{server: rates{creates: 100, reads: 60}, netHTTP: rates{creates: 90, reads: 30}, sql: rates{creates: 100, reads: 100}},
		{server: rates{creates: 100, reads: 75}, netHTTP: rates{creates: 90, reads: 30}, sql: rates{creates: 100, reads: 100}},
	}
	res := throughputResult{clients: 8, reps: reps}
	if got := ratioCell(res.ratios(serverReads)); got != "60% (40–75%)" {
		t.Fatalf("reads: %q, want the median with the range", got)
	}
	if got := ratioCell(res.ratios(netHTTPCreates)); got != "90% (90–90%)" {
		t.Fatalf("creates through net/http: %q", got)
	}
	if got := medianRates(reps, func(r throughputRep) rates { return r.server }); got.reads != 60 || got.creates != 100 {
		t.Fatalf("median rates: %+v", got)
	}
}
