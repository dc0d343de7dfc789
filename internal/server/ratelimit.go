package server

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter holds a token bucket per client IP. Buckets idle for a while are dropped, so that
// its memory is bounded by the clients of the last few minutes.
type limiter struct {
	perSecond rate.Limit
	burst     int

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	limiter *rate.Limiter
	seen    time.Time
}

// idleBucket is how long a client's bucket is kept without requests; by then it is full again.
const idleBucket = 5 * time.Minute

func newLimiter(perSecond float64) *limiter {
	return &limiter{perSecond: rate.Limit(perSecond), burst: max(1, int(2*perSecond)), buckets: make(map[string]*bucket)}
}

// wait takes a token for ip and returns 0, or how long the client should wait for one.
func (l *limiter) wait(ip string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > idleBucket {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > idleBucket {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b := l.buckets[ip]
	if b == nil {
		b = &bucket{limiter: rate.NewLimiter(l.perSecond, l.burst)}
		l.buckets[ip] = b
	}
	b.seen = now
	r := b.limiter.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d
	}
	return 0
}
