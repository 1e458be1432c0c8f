package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Notification is the body Alertmanager POSTs to a webhook_configs URL
// (payload version 4, https://prometheus.io/docs/alerting/latest/configuration/#webhook_config).
type Notification struct {
	Version           string            `json:"version"`
	GroupKey          string            `json:"groupKey"`
	TruncatedAlerts   int               `json:"truncatedAlerts"`
	Status            string            `json:"status"`
	Receiver          string            `json:"receiver"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            []WebhookAlert    `json:"alerts"`
}

// WebhookAlert is one alert of a Notification.
type WebhookAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// ReceivedNotification is the JSON line the receiver writes for every
// notification: when and where it arrived, the fields a person (or a test)
// greps for, and the notification itself.
type ReceivedNotification struct {
	// Time the notification was received.
	Time time.Time `json:"time"`
	// Event is always "alert.notification".
	Event string `json:"event"`
	// Path is the URL path it was POSTed to (e.g. /pager).
	Path string `json:"path"`
	// Receiver is the Alertmanager receiver name (pager, ticket, ...).
	Receiver string `json:"receiver"`
	// Status is "firing" or "resolved" (of the group).
	Status string `json:"status"`
	// Firing and Resolved are the sorted, distinct alertnames of the
	// notification's alerts by their own status.
	Firing   []string `json:"firing"`
	Resolved []string `json:"resolved"`
	// Notification is the decoded payload.
	Notification Notification `json:"notification"`
}

// ReceivedEvent is the value of ReceivedNotification.Event.
const ReceivedEvent = "alert.notification"

// Default limits of the webhook receiver.
const (
	// DefaultReceiverListen is the address of `agent alerts receive`.
	DefaultReceiverListen = "127.0.0.1:9095"
	// DefaultReceiverMaxBody bounds one notification body (Alertmanager
	// sends every alert of a group in one body).
	DefaultReceiverMaxBody = 4 << 20
)

// ReceiverConfig configures a Receiver.
type ReceiverConfig struct {
	// MaxBodyBytes bounds one request body; larger ones get 413.
	// Default DefaultReceiverMaxBody (4 MiB).
	MaxBodyBytes int64
}

// ReceiverOption configures a Receiver.
type ReceiverOption func(*Receiver)

// WithReceiverLogger sets the logger of request errors. Default: discard.
func WithReceiverLogger(l *slog.Logger) ReceiverOption {
	return func(r *Receiver) { r.log = l }
}

// WithNotifyFunc calls fn (in the request's goroutine, after the line is
// written) for every accepted notification, for in-process tests.
func WithNotifyFunc(fn func(ReceivedNotification)) ReceiverOption {
	return func(r *Receiver) { r.notify = fn }
}

// WithReceiverClock injects the clock of ReceivedNotification.Time.
// Default time.Now.
func WithReceiverClock(now func() time.Time) ReceiverOption {
	return func(r *Receiver) { r.now = now }
}

// Receiver is an Alertmanager webhook receiver that writes every
// notification as one JSON line (a ReceivedNotification) to its writer: the
// "pager" of the docker compose stack and of the end-to-end tests. It
// accepts POST on any path (use one per receiver, e.g. /pager and /ticket)
// and serves GET /-/healthy. Request headers (which may carry credentials)
// are never logged.
type Receiver struct {
	cfg    ReceiverConfig
	out    io.Writer
	log    *slog.Logger
	notify func(ReceivedNotification)
	now    func() time.Time

	mu  sync.Mutex // serialises writes to out
	enc *json.Encoder
}

var _ http.Handler = (*Receiver)(nil)

// NewReceiver returns a Receiver writing JSON lines to out.
func NewReceiver(out io.Writer, cfg ReceiverConfig, opts ...ReceiverOption) *Receiver {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultReceiverMaxBody
	}
	r := &Receiver{cfg: cfg, out: out, log: slog.New(slog.DiscardHandler), now: time.Now, enc: json.NewEncoder(out)}
	for _, o := range opts {
		o(r)
	}
	return r
}

// ServeHTTP implements http.Handler.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.URL.Path == "/-/healthy" || req.URL.Path == "/-/ready" {
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		_, _ = io.WriteString(w, "OK\n")
		return
	}
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "POST an Alertmanager webhook notification", http.StatusMethodNotAllowed)
		return
	}
	body := http.MaxBytesReader(w, req.Body, r.cfg.MaxBodyBytes)
	var n Notification
	if err := json.NewDecoder(body).Decode(&n); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			r.log.Warn("notification too large", "path", req.URL.Path, "limit_bytes", r.cfg.MaxBodyBytes)
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		r.log.Warn("notification is not valid JSON", "path", req.URL.Path, "err", err)
		http.Error(w, "want an Alertmanager webhook JSON body: "+err.Error(), http.StatusBadRequest)
		return
	}
	if n.Version != "4" {
		r.log.Warn("unexpected webhook payload version; logging it anyway", "version", n.Version)
	}
	rec := Received(n, req.URL.Path, r.now())
	r.mu.Lock()
	err := r.enc.Encode(rec)
	r.mu.Unlock()
	if err != nil {
		r.log.Error("write notification", "err", err)
		http.Error(w, "cannot record the notification", http.StatusInternalServerError)
		return
	}
	if r.notify != nil {
		r.notify(rec)
	}
	w.WriteHeader(http.StatusOK)
}

// Received summarises a notification as the line the receiver writes.
func Received(n Notification, path string, at time.Time) ReceivedNotification {
	rec := ReceivedNotification{Time: at.UTC(), Event: ReceivedEvent, Path: path,
		Receiver: n.Receiver, Status: n.Status, Firing: []string{}, Resolved: []string{}, Notification: n}
	for _, a := range n.Alerts {
		name := a.Labels["alertname"]
		if a.Status == "resolved" {
			rec.Resolved = append(rec.Resolved, name)
		} else {
			rec.Firing = append(rec.Firing, name)
		}
	}
	slices.Sort(rec.Firing)
	rec.Firing = slices.Compact(rec.Firing)
	slices.Sort(rec.Resolved)
	rec.Resolved = slices.Compact(rec.Resolved)
	return rec
}

// Serve serves the receiver on ln until ctx ends, then shuts down
// gracefully (in-flight notifications are written) within 5s.
func (r *Receiver) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }() // owner: Serve; exits on Shutdown
	select {
	case err := <-done:
		return fmt.Errorf("alert receiver: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("alert receiver shutdown: %w", err)
	}
	return nil
}
