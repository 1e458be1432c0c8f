package voice

import (
	"embed"
	"io/fs"
	"net/http"
	"net/netip"
	"strconv"

	"github.com/voicewatch/voicewatch/internal/httpguard"
)

//go:embed static
var staticFS embed.FS

// Handler returns every route behind the HTTP guard:
//
//	GET    /                   the test page
//	OPTIONS /whip              ICE servers as Link headers (RFC 9725 §4.6)
//	POST   /whip               SDP offer → 201 + answer + Location
//	PATCH  /whip/{id}          trickle candidates / ICE restart
//	DELETE /whip/{id}          hang up
//	GET    /whip/{id}/events   session events (WebSocket)
//	GET    /metrics            Prometheus metrics (unless metrics_listen is set)
//	GET    /-/healthy, /-/ready
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /{$}", securityHeaders(http.FileServerFS(static)))
	mux.Handle("GET /static/", securityHeaders(http.StripPrefix("/static/", http.FileServerFS(static))))
	mux.HandleFunc("OPTIONS /whip", s.handleOptions)
	mux.HandleFunc("POST /whip", s.handleOffer)
	mux.HandleFunc("PATCH /whip/{id}", s.handlePatch)
	mux.HandleFunc("DELETE /whip/{id}", s.handleDelete)
	mux.HandleFunc("GET /whip/{id}/events", s.handleEvents)
	if s.cfg.MetricsListen == "" {
		mux.Handle("GET /metrics", s.MetricsHandler())
	}
	mux.HandleFunc("GET /-/healthy", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("OK\n")) })
	mux.HandleFunc("GET /-/ready", s.handleReady)

	return s.guard.Wrap(s.countRequests(mux))
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	draining := s.draining
	s.mu.Unlock()
	if draining {
		http.Error(w, "draining", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("OK\n"))
}

// countRequests counts legitimate requests by route pattern and status.
func (s *Server) countRequests(next *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		s.metrics.httpRequests.WithLabelValues(route, strconv.Itoa(rec.status)).Inc()
		if rec.status >= 500 {
			s.log.Warn(EventHTTPRequest, "event", EventHTTPRequest, "method", r.Method, "route", route, "status", rec.status)
		}
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController and the WebSocket upgrade reach the
// underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// guardObserver counts what the guard rejects; scanners are logged at debug
// level only, so they cannot drown real errors.
type guardObserver struct{ s *Server }

func (o guardObserver) Scanner(r *http.Request, client netip.Addr, p httpguard.Pattern) {
	o.s.metrics.scanner.WithLabelValues(string(p)).Inc()
	o.s.log.Debug(EventHTTPScanner, "event", EventHTTPScanner, "pattern", string(p), "method", r.Method,
		"path", r.URL.Path, "client_ip", client.String())
}

func (o guardObserver) RateLimited(r *http.Request, client netip.Addr) {
	o.s.metrics.rateLimited.Inc()
	o.s.log.Debug("http.rate_limited", "event", "http.rate_limited", "client_ip", client.String())
}

func (o guardObserver) Rejected(r *http.Request, client netip.Addr, status int, reason string) {
	o.s.metrics.rejected.WithLabelValues(reason).Inc()
	o.s.log.Debug("http.rejected", "event", "http.rejected", "reason", reason, "status", status, "client_ip", client.String())
}

// clientIP is the guard's resolved client address.
func clientIP(r *http.Request) string {
	if a, ok := httpguard.ClientIPFrom(r.Context()); ok {
		return a.String()
	}
	return ""
}
