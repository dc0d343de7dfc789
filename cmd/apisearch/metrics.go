package main

import (
	"apisearch/internal/reindex"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// serviceCollector exports the index's and the watcher's state, read once per scrape.
type serviceCollector struct {
	status  func() (reindex.Status, bool) // false before the first index
	descs   map[string]*prometheus.Desc
	catalog *prometheus.Desc // apisearch_catalog_info, labelled with the catalogue served
}

func newServiceCollector(status func() (reindex.Status, bool)) *serviceCollector {
	d := func(name, help string) *prometheus.Desc { return prometheus.NewDesc(name, help, nil, nil) }
	catalog := prometheus.NewDesc("apisearch_catalog_info",
		"Always 1; its labels are the version (a hash of the files) and the Git commit of the catalogue served.",
		[]string{"version", "commit"}, nil)
	return &serviceCollector{status: status, catalog: catalog, descs: map[string]*prometheus.Desc{
		"entries":     d("apisearch_index_entries", "Entries in the served index."),
		"generation":  d("apisearch_index_generation", "Generation of the served index; grows with every change."),
		"reindexes":   d("apisearch_reindex_total", "Full reindexes since start."),
		"reindex_s":   d("apisearch_reindex_last_duration_seconds", "How long the last full reindex took."),
		"errors":      d("apisearch_catalog_errors", "Catalogue files that cannot be used."),
		"warnings":    d("apisearch_catalog_warnings", "Catalogue warnings against the national catalogue's criteria."),
		"batches":     d("apisearch_watcher_batches_total", "Batches of file changes applied."),
		"resyncs":     d("apisearch_watcher_resyncs_total", "Full re-reads of the catalogue asked by the watcher."),
		"degraded":    d("apisearch_watcher_degraded", "1 when the watcher cannot watch every folder and re-reads periodically."),
		"watch_count": d("apisearch_watcher_watches", "Folders watched."),
		"held":        d("apisearch_catalog_change_held", "1 while a change that would remove most entries is held back."),
		"failing":     d("apisearch_catalog_change_failing", "1 while the last change to the catalogue could not be applied."),
	}}
}

func (c *serviceCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
	ch <- c.catalog
}

func (c *serviceCollector) Collect(ch chan<- prometheus.Metric) {
	st, ok := c.status()
	if !ok {
		return
	}
	gauge := func(name string, v float64) {
		ch <- prometheus.MustNewConstMetric(c.descs[name], prometheus.GaugeValue, v)
	}
	counter := func(name string, v float64) {
		ch <- prometheus.MustNewConstMetric(c.descs[name], prometheus.CounterValue, v)
	}
	gauge("entries", float64(st.Entries))
	gauge("generation", float64(st.Generation))
	counter("reindexes", float64(st.Reindexes))
	gauge("reindex_s", st.LastReindexMS/1000)
	gauge("errors", float64(st.Errors))
	gauge("warnings", float64(st.Warnings))
	gauge("held", boolean(st.Held))
	gauge("failing", boolean(st.LastError != ""))
	// Read at each scrape: one series, whose labels change with the catalogue served, so that
	// a new version replaces the old one instead of adding to it.
	ch <- prometheus.MustNewConstMetric(c.catalog, prometheus.GaugeValue, 1, st.CatalogVersion, st.CatalogCommit)
	if w := st.Watcher; w != nil {
		counter("batches", float64(w.Batches))
		counter("resyncs", float64(w.Resyncs))
		gauge("degraded", boolean(w.Degraded))
		gauge("watch_count", float64(w.Watches))
	}
}

func boolean(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// newRegistry returns the registry of every metric: the process's, Go's, the build's and the
// service's.
func newRegistry(status func() (reindex.Status, bool), build buildInfo) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "apisearch_build_info",
		Help:        "Always 1; its labels say which build runs.",
		ConstLabels: prometheus.Labels{"version": build.Version, "commit": build.Commit, "goversion": build.GoVersion},
	})
	info.Set(1)
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newServiceCollector(status), info)
	return reg
}
