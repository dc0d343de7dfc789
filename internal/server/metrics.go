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

	// resolved holds the counter and histogram of each set of labels seen so far, so that a
	// request finds them with one lookup instead of hashing its labels in the vectors. Read
	// without a lock; a new set of labels, which the bounded labels make rare, copies it under mu.
	resolved atomic.Pointer[map[requestLabels]requestMetrics]
	mu       sync.Mutex
}

// requestLabels are the labels of a request's metrics.
type requestLabels struct {
	route, method string
	status        int
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
	m.resolved.Store(&map[requestLabels]requestMetrics{})
	return m, nil
}

// methodLabel is how metrics name a method: the standard ones by name, any other "other".
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return method
	}
	return "other"
}

// observe counts a request and its latency.
func (m *httpMetrics) observe(route, method string, status int, took time.Duration) {
	labels := requestLabels{route: route, method: methodLabel(method), status: status}
	rm, ok := (*m.resolved.Load())[labels]
	if !ok {
		rm = m.resolve(labels)
	}
	rm.requests.Inc()
	rm.latency.Observe(took.Seconds())
}

// resolve returns the metrics of a set of labels not seen before, and keeps them.
func (m *httpMetrics) resolve(labels requestLabels) requestMetrics {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := *m.resolved.Load()
	if rm, ok := old[labels]; ok {
		return rm // resolved by another request meanwhile
	}
	status := strconv.Itoa(labels.status)
	rm := requestMetrics{
		requests: m.requests.WithLabelValues(labels.route, labels.method, status),
		latency:  m.latency.WithLabelValues(labels.route, status),
	}
	resolved := make(map[requestLabels]requestMetrics, len(old)+1)
	maps.Copy(resolved, old)
	resolved[labels] = rm
	m.resolved.Store(&resolved)
	return rm
}
