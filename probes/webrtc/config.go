package webrtc

import (
	"log/slog"
	"time"

	"github.com/pion/transport/v5"
)

// Config configures a WebRTC (WHIP) prober. Token and ICE server
// credentials never appear in results, logs or errors.
type Config struct {
	// Target is the WHIP endpoint URL, e.g. "https://agent.example.com/whip".
	Target string `yaml:"-"`
	// Token is sent as "Authorization: Bearer <token>"; "" sends none.
	Token string `yaml:"token"`
	// ICEServers are the probe's own STUN/TURN servers. Default: none
	// (host candidates only).
	ICEServers []ICEServer `yaml:"ice_servers"`
	// RelayOnly sets the ICE transport policy to relay: the call only
	// works through TURN. Default: false.
	RelayOnly bool `yaml:"relay_only"`
	// Trickle sends the offer before gathering completes and trickles
	// candidates with PATCH (application/trickle-ice-sdpfrag). Default:
	// false (one complete offer, the most compatible).
	Trickle bool `yaml:"trickle"`
	// Loopback restricts ICE to the "lo" interface and includes loopback
	// candidates (for tests and same-host checks). Default: false.
	Loopback bool `yaml:"loopback"`
	// RelayAcceptanceMinWait is how long ICE waits before accepting a
	// relay pair, hoping for a better one. Default: 0 when RelayOnly (every
	// pair is a relay pair, waiting only adds pion's 2 s to every call),
	// pion's default (2 s) otherwise.
	RelayAcceptanceMinWait *time.Duration `yaml:"relay_acceptance_min_wait"`
	// ToneDuration is how long the speech-like tone lasts before silence.
	// Default: 1s.
	ToneDuration time.Duration `yaml:"tone_duration"`
	// AudioThreshold is the RMS level (16-bit linear scale) a received
	// packet must exceed to count as audio. Default: 300.
	AudioThreshold float64 `yaml:"audio_threshold"`
	// WaitForAudio, when false, ends the probe at "connected" without the
	// first_audio phase. Default: true.
	WaitForAudio *bool `yaml:"wait_for_audio"`
}

// ICEServer is one STUN or TURN server the probe gathers candidates from.
type ICEServer struct {
	// URL is a stun:, turn: or turns: URI.
	URL string `yaml:"url"`
	// Username and Password are long-term TURN credentials.
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	// Secret derives TURN REST credentials instead.
	Secret string `yaml:"secret"`
}

// Phases are the phase names of a WebRTC probe in the order they end.
var Phases = []string{"signaling", "ice_gathering", "ice_connected", "dtls", "connected", "first_audio", "hangup"}

func (c Config) withDefaults() Config {
	if c.ToneDuration <= 0 {
		c.ToneDuration = time.Second
	}
	if c.AudioThreshold <= 0 {
		c.AudioThreshold = 300
	}
	if c.WaitForAudio == nil {
		t := true
		c.WaitForAudio = &t
	}
	return c
}

// Option changes a prober's dependencies.
type Option func(*options)

type options struct {
	net    transport.Net
	logger *slog.Logger
	now    func() time.Time
}

// WithNet makes the prober use n (e.g. a pion vnet); default the real network.
func WithNet(n transport.Net) Option { return func(o *options) { o.net = n } }

// WithLogger sets the debug logger; default discards.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }
