package server

import (
	"context"
	"sync/atomic"
	"time"
)

// lane runs costly searches a few at a time, so that however many of them arrive from however
// many addresses, the searches of the search box keep the other cores. A costly search waits
// for a place in a bounded queue for a bounded time, else is refused as overloaded.
type lane struct {
	slots   chan struct{}
	waiting atomic.Int64
	queue   int64
	wait    time.Duration
}

// Defaults of the costly-search lane.
const (
	// costlyWork is the estimated work, in ordinary searches, from which a search is costly.
	costlyWork       = 3
	defaultLaneQueue = 64
	defaultLaneWait  = time.Second
)

func newLane(slots, queue int, wait time.Duration) *lane {
	return &lane{slots: make(chan struct{}, slots), queue: int64(queue), wait: wait}
}

// enter waits for a place and returns the function that leaves it; an error when the queue is
// full, the wait too long or the client gone.
func (l *lane) enter(ctx context.Context) (func(), error) {
	select {
	case l.slots <- struct{}{}:
		return l.leave, nil
	default:
	}
	if l.waiting.Add(1) > l.queue {
		l.waiting.Add(-1)
		return nil, errorf(CodeOverloaded, "too many costly searches are waiting: try again in a second, or with fewer words")
	}
	defer l.waiting.Add(-1)
	t := time.NewTimer(l.wait)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		return l.leave, nil
	case <-t.C:
		return nil, errorf(CodeOverloaded, "costly searches wait more than %v: try again in a second, or with fewer words", l.wait)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (l *lane) leave() { <-l.slots }
