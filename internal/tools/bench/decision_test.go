package main

import (
	"context"
	"strings"
	"testing"
)

// The decision scenario end to end at small sizes: two servers seeded with
// their grant counts, the decision allowed on both, figures for each size.
func TestDecisionScenario(t *testing.T) {
	rep := &report{}
	sz := sizes{decisionGrants: []int{10, 400}, decisionSamples: 5}
	if err := benchDecision(context.Background(), sz, t.TempDir(), rep); err != nil {
		t.Fatal(err)
	}
	x := rep.decision
	if x == nil || len(x.handler) != 2 || len(x.http) != 2 || len(x.seed) != 2 {
		t.Fatalf("result %+v", x)
	}
	for k := range x.grants {
		if x.via[k] < 3 || x.handler[k].median <= 0 || x.http[k].median <= 0 {
			t.Errorf("at %d grants: via %d, handler %s, HTTP %s", x.grants[k], x.via[k], x.handler[k].median, x.http[k].median)
		}
	}
	rep.sizes = sz
	if out := rep.render(); !strings.Contains(out, "| access decision at 400 grants within 1.5× of 10 (user in 50 groups) |") {
		t.Errorf("no target line in:\n%s", out)
	}
}

// Rounds start with each target in turn, after the warm-up, which is not timed.
func TestAlternate(t *testing.T) {
	var order []int
	timed := 0
	if err := alternate(2, 3, func(k int, isTimed bool) error {
		order = append(order, k)
		if isTimed {
			timed++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(order) != 2*103 || timed != 6 {
		t.Fatalf("%d calls, %d timed", len(order), timed)
	}
	if got := order[len(order)-6:]; got[0] == got[2] || got[0] != got[3] {
		t.Fatalf("last rounds %v: each round should start with the other target", got)
	}
}
