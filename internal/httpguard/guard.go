package httpguard

import (
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"time"
)

// Guard is HTTP middleware that rejects scanner traffic, rate limits per
// client IP and bounds request bodies. It is safe for concurrent use and
// starts no goroutines.
type Guard struct {
	cfg     Config
	trusted []netip.Prefix
	obs     Observer
	now     func() time.Time
	lim     *limiter
	cls     *Classifier
}

// New returns a Guard for cfg (zero fields take their defaults). obs may be
// nil.
func New(cfg Config, obs Observer, opts ...Option) (*Guard, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	trusted, err := cfg.prefixes()
	if err != nil {
		return nil, err
	}
	o := options{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if obs == nil {
		obs = nopObserver{}
	}
	return &Guard{
		cfg:     cfg,
		trusted: trusted,
		obs:     obs,
		now:     o.now,
		lim:     newLimiter(cfg.RatePerSecond, cfg.Burst, cfg.MaxClients),
		cls:     NewClassifier(o.routes),
	}, nil
}

// Wrap returns next behind the guard. In order, a request is:
//
//  1. classified (method, raw request-target and User-Agent, see
//     [Classifier.Classify]; with [WithRoutes], paths outside the routes
//     too): a scanner gets 404, an
//     unknown method 405 with an Allow header, both with "Connection:
//     close" and without the body being read;
//  2. rate limited per client (an IPv4 address, an IPv6 /64; see
//     [ClientKey]): over the limit it gets 429 with Retry-After (whole
//     seconds) and the connection is closed;
//  3. refused with 413 when its Content-Length exceeds MaxBodyBytes; other
//     bodies are wrapped in http.MaxBytesReader;
//  4. passed to next with the client IP in its context ([ClientIPFrom]).
func (g *Guard) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		client := clientIPFromValues(peerAddr(r.RemoteAddr), r.Header.Values("X-Forwarded-For"), g.trusted)
		target := r.RequestURI
		if target == "" && r.URL != nil { // a request built in-process, not read from the wire
			target = r.URL.RequestURI()
		}
		if p := g.cls.Classify(r.Method, target, r.Header.Get("User-Agent")); p != PatternNone {
			g.obs.Scanner(r, client, p)
			HangUp(w)
			if p == PatternInvalidMethod {
				w.Header().Set("Allow", allowedMethods)
				http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
				return
			}
			http.NotFound(w, r)
			return
		}
		if ok, wait := g.lim.allow(client, g.now()); !ok {
			g.obs.RateLimited(r, client)
			HangUp(w)
			w.Header().Set("Retry-After", retryAfter(wait))
			http.Error(w, http.StatusText(http.StatusTooManyRequests), http.StatusTooManyRequests)
			return
		}
		if r.ContentLength > g.cfg.MaxBodyBytes {
			g.obs.Rejected(r, client, http.StatusRequestEntityTooLarge, ReasonBodyTooLarge)
			HangUp(w)
			http.Error(w, fmt.Sprintf("request body over %d bytes", g.cfg.MaxBodyBytes), http.StatusRequestEntityTooLarge)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, g.cfg.MaxBodyBytes)
		}
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), client)))
	})
}

// aLongTimeAgo is a read deadline that has already passed.
var aLongTimeAgo = time.Unix(1, 0)

// HangUp makes the server close the connection after the response instead
// of reading the request body. "Connection: close" alone is not enough:
// after the handler returns, net/http still drains up to 256 KiB of an
// unread body to look for its end. An expired read deadline makes that
// drain fail at once, so a scanner's body is never read. Handlers call it
// before refusing a request whose body they will not read (401, 413, 415):
// a slow body then cannot hold the refusal back. Writers that
// cannot set deadlines (httptest.ResponseRecorder) are left as they are.
func HangUp(w http.ResponseWriter) {
	w.Header().Set("Connection", "close")
	_ = http.NewResponseController(w).SetReadDeadline(aLongTimeAgo)
}

// retryAfter formats d as a Retry-After delay in whole seconds, rounded up,
// at least 1.
func retryAfter(d time.Duration) string {
	s := int64(math.Ceil(d.Seconds()))
	if s < 1 {
		s = 1
	}
	return strconv.FormatInt(s, 10)
}
