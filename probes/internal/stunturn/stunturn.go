// Package stunturn holds what the STUN and TURN probers share: their
// network and logger options, and parsing the server URI with errors that
// never quote credentials.
package stunturn

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"

	pionstun "github.com/pion/stun/v4"
	"github.com/pion/transport/v5"

	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/probes/internal/netutil"
)

// Option changes how a prober reaches the network.
type Option func(*Options)

// Options are a prober's dependencies.
type Options struct {
	// Net is the network; nil means the real one.
	Net transport.Net
	// Logger receives debug logs; nil discards them.
	Logger *slog.Logger
}

// WithNet makes the prober use n (e.g. a pion vnet); default the real network.
func WithNet(n transport.Net) Option { return func(o *Options) { o.Net = n } }

// WithLogger sets the debug logger; default discards.
func WithLogger(l *slog.Logger) Option { return func(o *Options) { o.Logger = l } }

// Env returns the options a probe environment asks for.
func Env(env probes.Env) []Option { return []Option{WithNet(env.Net), WithLogger(env.Logger)} }

// Apply applies opts over the defaults: the real network and a logger
// that discards.
func Apply(opts []Option) (Options, error) {
	var o Options
	for _, opt := range opts {
		opt(&o)
	}
	n, err := netutil.OrStd(o.Net)
	if err != nil {
		return o, err
	}
	o.Net = n
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

// errUnparsable stands in for the URI parser's errors, which quote the
// input (and so any credentials in it).
var errUnparsable = errors.New("cannot parse the URI")

// ParseURI parses target as a URI of one of schemes and returns it with
// its "host:port". Every error wraps badURI, shows the target redacted
// (probes.RedactTarget) and says what was wanted (e.g. "want
// stun:host[:port]"); none quotes the parser's own message.
func ParseURI(target string, badURI error, want string, schemes ...pionstun.SchemeType) (*pionstun.URI, string, error) {
	u, err := pionstun.ParseURI(target)
	if err != nil {
		return nil, "", fmt.Errorf("%w %q: %w", badURI, probes.RedactTarget(target), errUnparsable)
	}
	for _, s := range schemes {
		if u.Scheme == s {
			return u, net.JoinHostPort(u.Host, strconv.Itoa(u.Port)), nil
		}
	}
	return nil, "", fmt.Errorf("%w %q: want %s", badURI, probes.RedactTarget(target), want)
}
