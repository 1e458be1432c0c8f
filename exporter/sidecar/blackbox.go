package sidecar

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/voicewatch/voicewatch/probes"
)

// scrapeTimeoutOffset is kept free of the scraper's own timeout, like
// blackbox_exporter's --timeout-offset default.
const scrapeTimeoutOffset = 500 * time.Millisecond

// serveProbe answers GET /probe?target=T&module=M the way blackbox_exporter
// does: it binds T to module M (decoded when the configuration was loaded)
// and returns the metrics of one probe run from a fresh registry
// (probe_success, probe_duration_seconds, probe_phase_duration_seconds,
// probe_failure_info). Nothing is decoded per request.
func (s *Sidecar) serveProbe(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	target, module := q.Get("target"), q.Get("module")
	if target == "" {
		http.Error(w, "target parameter is missing", http.StatusBadRequest)
		return
	}
	if module == "" {
		http.Error(w, "module parameter is missing", http.StatusBadRequest)
		return
	}
	gen := s.gen.Load()
	mod, ok := gen.cfg.modules[module]
	if !ok {
		http.Error(w, fmt.Sprintf("unknown module %q (configured: %v)", module, sortedNames(gen.cfg.Modules)), http.StatusBadRequest)
		return
	}
	spec, err := mod.spec(module, target, s.probeEnv)
	if err != nil {
		if errors.Is(err, ErrTargetNotAllowed) { // no connection is made
			s.log.Debug("probe target refused", "module", module)
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if v := r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds"); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs > 0 {
			limit := time.Duration(secs*float64(time.Second)) - scrapeTimeoutOffset
			if limit > 0 && (spec.Timeout <= 0 || spec.Timeout > limit) {
				spec.Timeout = limit
			}
		}
	}
	select {
	case s.probeSlots <- struct{}{}:
		defer func() { <-s.probeSlots }()
	default:
		w.Header().Set("Retry-After", "1")
		http.Error(w, fmt.Sprintf("%d probes already running (max_concurrent_probes)", cap(s.probeSlots)), http.StatusTooManyRequests)
		return
	}
	res := probes.RunSpec(r.Context(), spec)
	if !res.Success && res.Failure != nil {
		s.log.Debug("probe failed", "module", module, "target", res.Target,
			"phase", res.Failure.Phase, "reason", string(res.Failure.Reason), "err", res.Failure.Message())
	}
	reg, err := probes.MetricsRegistry(res)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(w, r)
}
