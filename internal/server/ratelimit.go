package server

import (
	"math"
	"net/netip"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/hashicorp/golang-lru/v2/simplelru"
	"golang.org/x/time/rate"
)

// limiter holds a token bucket per client: per IPv4 address, and per /64 network for IPv6 (one
// host or one home network commonly holds a whole /64). It tracks at most max clients, the
// least recently seen dropped first, and drops clients idle for idleBucket, so that a flood of
// addresses costs bounded memory (about bucketBytes each).
type limiter struct {
	perSecond rate.Limit
	burst     int
	max       int // clients tracked at most

	mu      sync.Mutex
	buckets *simplelru.LRU[netip.Prefix, *bucket]
	evicted uint64 // clients dropped to stay within max while still active
}

type bucket struct {
	limiter *rate.Limiter
	seen    time.Time
}

// idleBucket is how long a client's bucket is kept without requests; by then it is full again.
const idleBucket = 5 * time.Minute

// bucketBytes is the memory of one tracked client, measured by TestLimiterMemory.
const bucketBytes = 300

// DefaultRateLimitClients is how many clients the limiter tracks by default: about 15 MB.
const DefaultRateLimitClients = 50_000

func newLimiter(perSecond float64, maxClients int) *limiter {
	l := &limiter{perSecond: rate.Limit(perSecond), burst: max(1, int(2*perSecond)), max: max(1, maxClients)}
	l.buckets, _ = simplelru.NewLRU[netip.Prefix, *bucket](l.max, nil)
	return l
}

// clientKey is the bucket of a client address: the address for IPv4 (IPv4-mapped IPv6
// spellings included), its /64 for IPv6. An address that does not parse shares one bucket.
func clientKey(ip string) netip.Prefix {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return netip.Prefix{}
	}
	return bucketOf(addr)
}

// client returns the bucket of a request's client. Without trusted proxies, the client is the
// connection's address, parsed here as it costs no allocation, unlike gin's ClientIP; behind a
// trusted proxy, gin reads the forwarded address.
func (s *Server) client(c *gin.Context) netip.Prefix {
	if len(s.cfg.TrustedProxies) == 0 {
		if ap, err := netip.ParseAddrPort(c.Request.RemoteAddr); err == nil {
			return bucketOf(ap.Addr())
		}
	}
	return clientKey(c.ClientIP())
}

// bucketOf is the bucket of an address: itself for IPv4, its /64 for IPv6.
func bucketOf(addr netip.Addr) netip.Prefix {
	addr = addr.Unmap().WithZone("")
	bits := 32
	if addr.Is6() {
		bits = 64
	}
	p, _ := addr.Prefix(bits)
	return p
}

// take takes n tokens for the client and returns 0, or how long the client should wait for
// them; nothing is taken then.
func (l *limiter) take(client netip.Prefix, n int, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(client, now)
	n = min(n, l.burst)
	// AllowN allocates nothing, unlike a reservation: only a refused request makes one, to
	// tell how long to wait.
	if b.limiter.AllowN(now, n) {
		return 0
	}
	r := b.limiter.ReserveN(now, n)
	wait := r.DelayFrom(now)
	r.CancelAt(now)
	return wait
}

// charge takes n more tokens for a request already admitted, going into debt if need be: the
// client's next requests wait until the debt is paid. A client can never owe more than a burst.
func (l *limiter) charge(client netip.Prefix, n int, now time.Time) {
	if n <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(client, now)
	n = min(n, l.burst)
	if room := b.limiter.TokensAt(now) + float64(l.burst); float64(n) > room {
		n = int(math.Floor(room))
	}
	if n > 0 {
		b.limiter.ReserveN(now, n)
	}
}

// bucket returns the client's bucket, creating it, after dropping the clients idle too long.
func (l *limiter) bucket(key netip.Prefix, now time.Time) *bucket {
	for {
		_, oldest, ok := l.buckets.GetOldest()
		if !ok || now.Sub(oldest.seen) <= idleBucket {
			break
		}
		l.buckets.RemoveOldest()
	}
	b, ok := l.buckets.Get(key)
	if !ok {
		b = &bucket{limiter: rate.NewLimiter(l.perSecond, l.burst)}
		if l.buckets.Add(key, b) {
			l.evicted++
		}
	}
	b.seen = now
	return b
}

// clients returns how many clients are tracked and how many were dropped while active.
func (l *limiter) clients() (int, uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buckets.Len(), l.evicted
}
