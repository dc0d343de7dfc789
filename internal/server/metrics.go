package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// httpMetrics are the request counters and latency histograms, by route and status, and the
// gauges of the server's bounded memory. Every label takes a bounded set of values: routes are
// the registered ones or "unmatched", methods the standard ones or "other".
type httpMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
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
	return m, nil
}

// knownMethods are the methods that metrics name; any other is counted as "other".
var knownMethods = map[string]bool{http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true}

func (m *httpMetrics) observe(route, method string, status int, took time.Duration) {
	if !knownMethods[method] {
		method = "other"
	}
	s := strconv.Itoa(status)
	m.requests.WithLabelValues(route, method, s).Inc()
	m.latency.WithLabelValues(route, s).Observe(took.Seconds())
}
