package stun

import (
	"cmp"
	"fmt"
	"time"

	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/probes/internal/stunturn"
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

// Transports a STUN probe runs over (Config.Transports).
const (
	TransportUDP = "udp"
	TransportTCP = "tcp"
)

// Defaults for Config.
const (
	DefaultRTO = 500 * time.Millisecond
	DefaultRc  = 7
	DefaultRm  = 16
)

// WithDefaults returns c with zero fields set to their defaults.
func (c Config) WithDefaults() Config {
	if len(c.Transports) == 0 {
		c.Transports = []string{TransportUDP, TransportTCP}
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
	c.Software = cmp.Or(c.Software, probes.DefaultSoftware)
	return c
}

// Validate checks the settings (not Target, which New parses).
func (c Config) Validate() error {
	for _, t := range c.Transports {
		if _, ok := bindingPhase[t]; !ok {
			return fmt.Errorf("%w %q: want %s or %s", ErrBadTransport, t, TransportUDP, TransportTCP)
		}
	}
	return nil
}

// Option changes how a prober reaches the network.
type Option = stunturn.Option

// WithNet makes the prober use n (e.g. a pion vnet); default the real network.
var WithNet = stunturn.WithNet

// WithLogger sets the debug logger; default discards.
var WithLogger = stunturn.WithLogger
