package client

import (
	"context"
	"math"
	"sync"
)

// maxInFlight is how many attempts one client sends at once while the server
// accepts them all; above Terraform's largest usual -parallelism, so it only
// limits once the server pushes back.
const maxInFlight = 64

// limiter bounds the attempts a client has in flight with a window that adapts
// the way TCP's congestion window does (additive increase, multiplicative
// decrease): a 429 or 503 halves the window, every answer that is not one adds
// 1/window, so a whole window of good answers adds one slot. Shared by all the
// requests of one client, so a server that asks for less gets less from all of
// them, not only from the request that was refused.
type limiter struct {
	mu       sync.Mutex
	window   float64
	max      float64
	inFlight int
	// epoch counts decreases. One pushback halves the window once: answers to
	// attempts sent before the last decrease were already counted by it, as
	// they were all in flight together.
	epoch uint64
	// freed is closed (and replaced) whenever a slot may have come free.
	freed chan struct{}
}

func newLimiter(maxWindow int) *limiter {
	return &limiter{window: float64(maxWindow), max: float64(maxWindow), freed: make(chan struct{})}
}

// slot is one attempt's hold on the limiter.
type slot struct{ epoch uint64 }

// outcome is what an attempt's answer says about the server's load.
type outcome int

const (
	// outcomeNeutral says nothing: a network error, a 500.
	outcomeNeutral outcome = iota
	// outcomeOK is an answer the server gave without pushing back.
	outcomeOK
	// outcomePushback is a 429 or 503: the server asks for less.
	outcomePushback
)

// acquire waits for a free slot, or until ctx ends.
func (l *limiter) acquire(ctx context.Context) (slot, error) {
	for {
		l.mu.Lock()
		if l.inFlight < l.allowedLocked() {
			l.inFlight++
			s := slot{epoch: l.epoch}
			l.mu.Unlock()
			return s, nil
		}
		freed := l.freed
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			return slot{}, context.Cause(ctx)
		case <-freed:
		}
	}
}

// release returns s and adapts the window to the attempt's outcome. It
// reports the window after a decrease, or 0 when the window did not shrink.
func (l *limiter) release(s slot, o outcome) float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inFlight--
	shrunk := 0.0
	switch o {
	case outcomePushback:
		if s.epoch == l.epoch {
			l.window = math.Max(1, l.window/2)
			l.epoch++
			shrunk = l.window
		}
	case outcomeOK:
		l.window = math.Min(l.max, l.window+1/l.window)
	}
	close(l.freed)
	l.freed = make(chan struct{})
	return shrunk
}

// allowedLocked is the whole number of attempts the window allows now.
func (l *limiter) allowedLocked() int { return int(math.Floor(l.window)) }

// allowed returns the current number of attempts allowed in flight.
func (l *limiter) allowed() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.allowedLocked()
}
