package stun

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/pion/transport/v5"
)

// Config configures a STUN prober.
type Config struct {
	// Target is the server URI, e.g. "stun:stun.example.com:3478" (port
	// default 3478). Required.
	Target string `yaml:"-"`
	// Transports to probe, in parallel. Default: [udp, tcp].
	Transports []string `yaml:"transports"`
	// RTO is the initial retransmission timeout over UDP (RFC 8489 §6.2.1).
	// Default: 500ms.
	RTO time.Duration `yaml:"rto"`
	// Rc is the number of requests sent over UDP before giving up. Default: 7.
	Rc int `yaml:"rc"`
	// Rm is how many RTOs to wait after the last request. Default: 16.
	Rm int `yaml:"rm"`
	// Software is sent in the SOFTWARE attribute. Default: "voicewatch-probe".
	Software string `yaml:"software"`
}

// Defaults for Config.
const (
	DefaultRTO = 500 * time.Millisecond
	DefaultRc  = 7
	DefaultRm  = 16
)

func (c Config) withDefaults() (Config, error) {
	if len(c.Transports) == 0 {
		c.Transports = []string{"udp", "tcp"}
	}
	for _, t := range c.Transports {
		if t != "udp" && t != "tcp" {
			return c, fmt.Errorf("%w %q: want udp or tcp", ErrBadTransport, t)
		}
	}
	if c.RTO <= 0 {
		c.RTO = DefaultRTO
	}
	if c.Rc <= 0 {
		c.Rc = DefaultRc
	}
	if c.Rm <= 0 {
		c.Rm = DefaultRm
	}
	if c.Software == "" {
		c.Software = "voicewatch-probe"
	}
	return c, nil
}

// Option changes how a prober reaches the network.
type Option func(*options)

type options struct {
	net    transport.Net
	logger *slog.Logger
}

// WithNet makes the prober use n (e.g. a pion vnet); default the real network.
func WithNet(n transport.Net) Option { return func(o *options) { o.net = n } }

// WithLogger sets the debug logger; default discards.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }
