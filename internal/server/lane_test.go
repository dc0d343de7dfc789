package server

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestCostlyLane lets as many costly searches run as it has places, queues a bounded number
// for a bounded time and refuses the rest as overloaded.
func TestCostlyLane(t *testing.T) {
	l := newLane(1, 1, 50*time.Millisecond)
	leave, err := l.enter(context.Background())
	if err != nil {
		t.Fatalf("first search refused: %v", err)
	}
	// The queue has one place: a second search waits and, the place never freed, times out.
	start := time.Now()
	_, err = l.enter(context.Background())
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeOverloaded {
		t.Fatalf("second search: %v, want overloaded after the wait", err)
	}
	if waited := time.Since(start); waited < 40*time.Millisecond {
		t.Errorf("second search refused after %v, want it to wait about 50ms", waited)
	}
	// While one waits, a third finds the queue full and is refused at once.
	waited := make(chan error, 1)
	go func() {
		leave2, err := l.enter(context.Background())
		if err == nil {
			leave2()
		}
		waited <- err
	}()
	for l.waiting.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	if _, err := l.enter(context.Background()); !errors.As(err, &e) || e.Code != CodeOverloaded {
		t.Errorf("third search with the queue full: %v, want overloaded", err)
	}
	// Leaving frees the place for the one waiting.
	leave()
	if err := <-waited; err != nil {
		t.Errorf("the waiting search did not get the freed place: %v", err)
	}
}
