package client

import (
	"context"
	"time"
)

// clock is the time source of the retry loop; tests replace it so that waits
// take no real time and their lengths can be checked exactly.
type clock interface {
	Now() time.Time
	// Sleep waits for d, or until ctx ends (then it returns the context's cause).
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return context.Cause(ctx)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}
