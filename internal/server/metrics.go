package server

import (
	"maps"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// httpMetrics are the request counters and latency histograms, by route and status, and the
// gauges of the server's bounded memory. Every label takes a bounded set of values: routes are
// the registered ones or "unmatched", methods the standard ones or "other".
type httpMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec

	// resolved holds the counter and histogram of each set of labels seen so far, by route,
	// then by method and status (methodStatus), so that a request finds them with two
	// lookups in maps keyed by a string and an int, several times faster than hashing its
	// labels in the vectors or in a map keyed by a struct. Read without a lock; a new set of
	// labels, which the bounded labels make rare, copies it under mu.
	resolved atomic.Pointer[map[string]map[int]requestMetrics]
	mu       sync.Mutex
}

// requestMetrics are the metrics of one set of labels.
type requestMetrics struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

func newHTTPMetrics(reg *prometheus.Registry, answers *answerCache, lim *limiter) (*httpMetrics, error) {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "apisearch_http_requests_total",
			Help: "HTTP requests answered, by route, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "apisearch_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "status"}),
	}
	collectors := []prometheus.Collector{m.requests, m.latency,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "apisearch_answer_cache_bytes", Help: "Memory held by the answer cache."},
			func() float64 { b, _ := answers.usage(); return float64(b) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "apisearch_answer_cache_entries", Help: "Answers held by the answer cache."},
			func() float64 { _, n := answers.usage(); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "apisearch_answer_cache_max_bytes", Help: "Bound on the memory of the answer cache."},
			func() float64 { return float64(answers.max) }),
	}
	if lim != nil {
		collectors = append(collectors,
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "apisearch_ratelimit_clients", Help: "Clients the rate limit tracks."},
				func() float64 { n, _ := lim.clients(); return float64(n) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "apisearch_ratelimit_max_clients", Help: "Bound on the clients the rate limit tracks."},
				func() float64 { return float64(lim.max) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "apisearch_ratelimit_evicted_total", Help: "Active clients the rate limit dropped to stay within its bound."},
				func() float64 { _, e := lim.clients(); return float64(e) }))
	}
	for _, c := range collectors {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	m.resolved.Store(&map[string]map[int]requestMetrics{})
	return m, nil
}

// methodLabel is how metrics name a method, and its rank among the names: the standard
// methods by name, any other "other".
func methodLabel(method string) (string, int) {
	switch method {
	case http.MethodGet:
		return method, 0
	case http.MethodHead:
		return method, 1
	case http.MethodPost:
		return method, 2
	case http.MethodPut:
		return method, 3
	case http.MethodPatch:
		return method, 4
	case http.MethodDelete:
		return method, 5
	case http.MethodOptions:
		return method, 6
	}
	return "other", 7
}

// observe counts a request and its latency.
func (m *httpMetrics) observe(route, method string, status int, took time.Duration) {
	method, rank := methodLabel(method)
	methodStatus := rank<<16 | status
	rm, ok := (*m.resolved.Load())[route][methodStatus]
	if !ok {
		rm = m.resolve(route, method, status, methodStatus)
	}
	rm.requests.Inc()
	rm.latency.Observe(took.Seconds())
}

// resolve returns the metrics of a set of labels not seen before, and keeps them.
func (m *httpMetrics) resolve(route, method string, status, methodStatus int) requestMetrics {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := *m.resolved.Load()
	if rm, ok := old[route][methodStatus]; ok {
		return rm // resolved by another request meanwhile
	}
	code := strconv.Itoa(status)
	rm := requestMetrics{
		requests: m.requests.WithLabelValues(route, method, code),
		latency:  m.latency.WithLabelValues(route, code),
	}
	// Maps that requests read are never written: the route's map and the map of routes are
	// copied, the other routes' maps shared.
	byMethodStatus := make(map[int]requestMetrics, len(old[route])+1)
	maps.Copy(byMethodStatus, old[route])
	byMethodStatus[methodStatus] = rm
	resolved := make(map[string]map[int]requestMetrics, len(old)+1)
	maps.Copy(resolved, old)
	resolved[route] = byMethodStatus
	m.resolved.Store(&resolved)
	return rm
}
