package voice

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/pion/logging"
	"github.com/pion/transport/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/voicewatch/voicewatch/internal/funcopt"
	"github.com/voicewatch/voicewatch/internal/httpguard"
	"github.com/voicewatch/voicewatch/voice/store"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// Server is the media core: WHIP signaling, sessions and their pipelines.
type Server struct {
	cfg       Config
	log       *slog.Logger
	metrics   *metrics
	gatherer  prometheus.Gatherer
	api       *pionAPI
	providers Providers
	store     store.Store
	now       func() time.Time
	tokens    [][]byte
	guard     *httpguard.Guard
	fallback  *PromptTTS // speaks the apology when the TTS fails
	tracing   *tracing   // nil unless otlp.traces_endpoint is set

	mu       sync.Mutex
	sessions map[string]*session
	draining bool
	wg       sync.WaitGroup // sessions until their goroutines exit
}

type options struct {
	logger    *slog.Logger
	registry  *prometheus.Registry
	net       transport.Net
	providers Providers
	store     store.Store
	now       func() time.Time
	pionLog   logging.LoggerFactory
}

// Option configures a Server.
type Option func(*options)

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithRegistry registers metrics on r instead of a new registry.
func WithRegistry(r *prometheus.Registry) Option { return func(o *options) { o.registry = r } }

// WithNet runs ICE on n (a pion vnet in tests) instead of the real network.
func WithNet(n transport.Net) Option { return func(o *options) { o.net = n } }

// WithProviders replaces the embedded STT/Dialog/TTS; nil fields keep the
// embedded ones.
func WithProviders(p Providers) Option { return func(o *options) { o.providers = p } }

// WithStore replaces the embedded file store.
func WithStore(s store.Store) Option { return func(o *options) { o.store = s } }

// WithClock injects the clock.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithPionLogger sets pion's logger factory (default: pion's errors through
// the slog logger, rate limited; see pionlog.go).
func WithPionLogger(f logging.LoggerFactory) Option { return func(o *options) { o.pionLog = f } }

// New applies cfg's defaults (WithDefaults), validates it and builds a
// Server. It starts nothing until Serve.
func New(cfg Config, opts ...Option) (*Server, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := funcopt.Apply(options{now: time.Now}, opts)
	o.logger = funcopt.Logger(o.logger)
	if o.registry == nil {
		o.registry = prometheus.NewRegistry()
		o.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	if o.pionLog == nil { // pionlog.go: JSON through slog, errors only, rate limited
		o.pionLog = newPionLogFactory(o.logger, slog.LevelError, o.now)
	}
	api, err := newAPI(cfg.ICE, o.net, o.pionLog)
	if err != nil {
		return nil, err
	}
	p := o.providers
	if p.STT == nil {
		p.STT = EmbeddedSTT{}
	}
	if p.Dialog == nil {
		p.Dialog = EchoDialog{Greet: *cfg.Audio.Greeting}
	}
	fallback, err := NewPromptTTS()
	if err != nil {
		return nil, err
	}
	if p.TTS == nil {
		p.TTS = fallback
	}
	st := o.store
	if st == nil {
		fs, err := store.NewFileStore(cfg.Store.Dir)
		if err != nil {
			return nil, err
		}
		st = fs
	}
	s := &Server{
		cfg: cfg, log: o.logger.With("component", "voice"), metrics: newMetrics(o.registry), gatherer: o.registry,
		api: api, providers: p, store: st, now: o.now, sessions: map[string]*session{}, fallback: fallback,
	}
	if s.guard, err = httpguard.New(cfg.HTTP, guardObserver{s}, httpguard.WithRoutes(guardRoutes)); err != nil {
		return nil, err
	}
	if s.tracing, err = newTracing(cfg.OTLP); err != nil {
		return nil, err
	}
	for _, p := range httpguard.Patterns() {
		s.metrics.scanner.WithLabelValues(string(p))
	}
	for _, t := range cfg.Auth.Tokens {
		s.tokens = append(s.tokens, []byte(t.Reveal()))
	}
	// Pre-initialise the providers' series so the first error is a rate.
	for _, r := range voicemetrics.Reasons {
		s.metrics.sttErrors.WithLabelValues(p.STT.Name(), r)
		s.metrics.ttsErrors.WithLabelValues(p.TTS.Name(), r)
	}
	s.metrics.sttRequests.WithLabelValues(p.STT.Name())
	s.metrics.ttsRequests.WithLabelValues(p.TTS.Name())
	// And every bounded result and outcome: the CloudWatch alarms and
	// widgets read each value's metric (a metric with no datapoint is "no
	// data" there, not 0).
	for _, r := range []string{voicemetrics.ConnectionConnected, voicemetrics.ConnectionFailed, voicemetrics.ConnectionTimeout} {
		s.metrics.connections.WithLabelValues(r)
	}
	for _, o := range []string{voicemetrics.OutcomeCompleted, voicemetrics.OutcomeAbandoned, voicemetrics.OutcomeFailed, voicemetrics.OutcomeRejected} {
		s.metrics.sessionsEnded.WithLabelValues(o)
	}
	for _, r := range []string{voicemetrics.RestartSucceeded, voicemetrics.RestartFailed, voicemetrics.RestartExhausted} {
		s.metrics.restarts.WithLabelValues(r)
	}
	for _, r := range []string{voicemetrics.StoreOK, voicemetrics.StoreError, voicemetrics.StoreThrottled, voicemetrics.StoreConflict} {
		s.metrics.storeWrites.WithLabelValues(r)
	}
	return s, nil
}

// Gatherer returns the registry the media core's metrics are on.
func (s *Server) Gatherer() prometheus.Gatherer { return s.gatherer }

// MetricsHandler serves the media core's metrics.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.gatherer, promhttp.HandlerOpts{EnableOpenMetrics: true})
}

// Serve answers HTTP on ln (and metrics on mln when not nil) until ctx ends,
// then drains: new sessions are refused, open sessions end, and it returns
// when every session goroutine has exited.
func (s *Server) Serve(ctx context.Context, ln, mln net.Listener) error {
	srv := &http.Server{Handler: s.Handler(), ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)}
	s.cfg.HTTP.ApplyTimeouts(srv)
	ln, err := httpguard.ListenerFor(ln, s.cfg.HTTP, s.connRejected)
	if err != nil {
		return err
	}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	sweepCtx, stopSweep := context.WithCancel(ctx)
	swept := make(chan struct{})
	go func() { defer close(swept); s.sweepStore(sweepCtx) }()
	defer func() { stopSweep(); <-swept }()
	var msrv *http.Server
	if mln != nil {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", s.MetricsHandler())
		msrv = &http.Server{Handler: mux}
		s.cfg.HTTP.ApplyTimeouts(msrv)
		go func() { errc <- msrv.Serve(mln) }()
	}
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	s.Close()
	_ = srv.Shutdown(shutCtx)
	if msrv != nil {
		_ = msrv.Shutdown(shutCtx)
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// connRejected counts a connection closed over http.max_conns_per_client.
func (s *Server) connRejected(client netip.Addr) {
	s.metrics.rejected.WithLabelValues(httpguard.ReasonTooManyConnections).Inc()
	s.log.Debug("http.rejected", "event", "http.rejected", "reason", httpguard.ReasonTooManyConnections, "client_ip", client.String())
}

// Close refuses new sessions, ends the open ones and waits for their
// goroutines.
func (s *Server) Close() {
	s.mu.Lock()
	s.draining = true
	open := make([]*session, 0, len(s.sessions))
	for _, sess := range s.sessions {
		open = append(open, sess)
	}
	s.mu.Unlock()
	for _, sess := range open {
		sess.end(endShutdown)
	}
	s.wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.tracing.shutdown(ctx) // flush the ended sessions' traces
}

// ActiveSessions returns the number of sessions in progress.
func (s *Server) ActiveSessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// admit reserves a session slot, or says why not.
func (s *Server) admit(sess *session) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.draining:
		return ErrShuttingDown
	case len(s.sessions) >= s.cfg.MaxSessions:
		return ErrSessionCap
	case s.clientSessionsLocked(sess.clientIP) >= s.cfg.MaxSessionsPerClient:
		return ErrClientSessionCap
	}
	s.sessions[sess.id] = sess
	s.wg.Add(1)
	return nil
}

func (s *Server) remove(sess *session) {
	s.mu.Lock()
	_, ok := s.sessions[sess.id]
	delete(s.sessions, sess.id)
	s.mu.Unlock()
	if ok {
		go func() { // wait outside end(): end may run on a session goroutine
			sess.wg.Wait()
			s.wg.Done()
		}()
	}
}

// sessionOf returns the session named by r's {id}. When this instance does
// not hold it, the request is forwarded to the instance that does
// (cluster.go) or answered 404, and ok is false: the handler is done.
func (s *Server) sessionOf(w http.ResponseWriter, r *http.Request) (sess *session, ok bool) {
	id := r.PathValue("id")
	if sess, ok = s.lookup(id); !ok && !s.forward(w, r, id) {
		problem(w, http.StatusNotFound, "no such session")
	}
	return sess, ok
}

// authorizedSessionOf is sessionOf for requests that need the bearer token
// (PATCH, DELETE): without it the answer is 401.
func (s *Server) authorizedSessionOf(w http.ResponseWriter, r *http.Request) (*session, bool) {
	if !s.authorized(r) {
		refuse(w, http.StatusUnauthorized, "missing or invalid bearer token")
		return nil, false
	}
	return s.sessionOf(w, r)
}

func (s *Server) lookup(id string) (*session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[id]
	return sess, ok
}

// authorized checks the bearer token in constant time.
func (s *Server) authorized(r *http.Request) bool {
	if s.cfg.Auth.InsecureNoAuth {
		return true
	}
	const prefix = "Bearer "
	h := r.Header.Get("Authorization")
	if len(h) <= len(prefix) || !equalFoldASCII(h[:len(prefix)], prefix) {
		return false
	}
	got := []byte(h[len(prefix):])
	ok := 0
	for _, t := range s.tokens {
		ok |= subtle.ConstantTimeCompare(got, t)
	}
	return ok == 1
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		x, y := a[i]|0x20, b[i]|0x20
		if x != y {
			return false
		}
	}
	return true
}

func newSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// problemDoc is an RFC 9457 problem document.
type problemDoc struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
}

// problem writes an RFC 9457 problem response. encoding/json escapes
// whatever the detail quotes from the request (control bytes, invalid
// UTF-8), so the document stays valid JSON.
func problem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(problemDoc{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail})
}

// refuse answers a request whose body will not be read (401, 413, 415)
// and closes the connection, so a slow or large body cannot hold the
// answer back or keep the connection.
func refuse(w http.ResponseWriter, status int, detail string) {
	httpguard.HangUp(w)
	problem(w, status, detail)
}
