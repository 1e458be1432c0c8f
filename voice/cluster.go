package voice

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"

	"github.com/voicewatch/voicewatch/voice/store"
)

// ClusterConfig lets several media cores share one load balancer (the
// incident ran two ECS tasks behind an ALB). A session lives in the
// process that answered its POST /whip; the load balancer may send the
// session's PATCH, DELETE and /events to any instance. Each session record
// names its owner (the session directory is the shared store: DynamoDB, or
// one file store directory), and an instance that does not hold a session
// forwards the request to the owner's advertised URL.
type ClusterConfig struct {
	// AdvertiseURL is where the other media cores reach this one, e.g.
	// http://10.0.1.5:8080 (the task's private address). Empty: a single
	// instance, nothing is forwarded.
	AdvertiseURL string `yaml:"advertise_url"`
	// ForwardWait bounds how long an instance waits for a session's
	// record to appear in the store (it is written right after the
	// answer). Default 2s.
	ForwardWait time.Duration `yaml:"forward_wait"`
}

// headerForwardedBy marks a request forwarded by another instance; it is
// never forwarded again, so a stale directory cannot loop.
const headerForwardedBy = "Voicewatch-Forwarded-By"

func (c ClusterConfig) validate() error {
	if c.AdvertiseURL == "" {
		return nil
	}
	u, err := url.Parse(c.AdvertiseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return fmt.Errorf("cluster.advertise_url %q: want the instance's own base URL like http://10.0.1.5:8080", c.AdvertiseURL)
	}
	return nil
}

// forward sends a request for session id, which this instance does not
// hold, to the instance that does, and reports whether it did. It does not
// when clustering is off, the request was already forwarded, or the
// directory names no other live owner.
func (s *Server) forward(w http.ResponseWriter, r *http.Request, id string) bool {
	self := s.cfg.Cluster.AdvertiseURL
	if self == "" || !validSessionID(id) || r.Header.Get(headerForwardedBy) != "" {
		return false
	}
	owner, err := s.owner(r.Context(), id)
	if err != nil || owner == "" || owner == self {
		return false
	}
	target, err := url.Parse(owner)
	if err != nil {
		return false
	}
	s.metrics.forwarded.Inc()
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			// Keep the Host the client used: the event WebSocket checks
			// that the page's Origin matches it.
			pr.Out.Host = pr.In.Host
			pr.Out.Header["X-Forwarded-For"] = pr.In.Header["X-Forwarded-For"]
			pr.SetXForwarded()
			pr.Out.Header.Set(headerForwardedBy, self)
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			s.log.Warn("forward to the session's owner failed", "owner", owner, "error", err)
			problem(w, http.StatusBadGateway, "the media core that holds this session is unreachable")
		},
	}
	proxy.ServeHTTP(w, r)
	return true
}

// owner looks the session up in the store, waiting up to ForwardWait for
// its first record; "" when it ended or never existed.
func (s *Server) owner(ctx context.Context, id string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Cluster.ForwardWait)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		rec, err := s.store.Get(ctx, id)
		switch {
		case err == nil && rec.State == stateEnded:
			return "", nil
		case err == nil && rec.Owner != "":
			return rec.Owner, nil
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return "", err
		}
		select {
		case <-ctx.Done():
			return "", nil
		case <-tick.C:
		}
	}
}
