package probes

import (
	"context"
	"log/slog"
	"time"

	"github.com/pion/transport/v5"
)

// Prober runs one check against one target. Probe honours ctx (its deadline
// is the probe timeout) and always returns a Result; it never returns
// before the resources it started are released.
type Prober interface {
	Probe(ctx context.Context) Result
}

// ProberFunc adapts a function to a [Prober].
type ProberFunc func(ctx context.Context) Result

// Probe calls f(ctx).
func (f ProberFunc) Probe(ctx context.Context) Result { return f(ctx) }

// Env carries what every probe kind may need from its host process.
type Env struct {
	// Logger receives debug logs; nil discards them.
	Logger *slog.Logger
	// Net is the network to use; nil means the real network (stdnet).
	// Tests pass a pion vnet.
	Net transport.Net
	// Timeout is the default probe timeout used when a kind needs one
	// outside ctx (e.g. to size retransmissions). Default: 10s.
	Timeout time.Duration
}

// DefaultTimeout is the default probe timeout.
const DefaultTimeout = 10 * time.Second

// DefaultSoftware is the default STUN SOFTWARE attribute value (a kind's
// software setting changes it) and the HTTP User-Agent of probes.
const DefaultSoftware = "voicewatch-probe"

// WithDefaults returns e with zero fields replaced by their defaults.
func (e Env) WithDefaults() Env {
	if e.Logger == nil {
		e.Logger = slog.New(slog.DiscardHandler)
	}
	if e.Timeout <= 0 {
		e.Timeout = DefaultTimeout
	}
	return e
}
