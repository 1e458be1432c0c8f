package webrtc

import (
	"cmp"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/pion/transport/v5"
	"github.com/voicewatch/voicewatch/probes"
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
	// Greeting is how the probe deals with a bot that greets: "wait"
	// (default) hears the greeting out before it speaks; "interrupt" speaks
	// at once, for bots that stop their prompt when the caller talks over
	// it (the media core's audio.barge_in: stop) — faster, and it proves
	// barge-in works. Either way the reply measured is the first loud audio
	// after the probe's tone ends.
	Greeting string `yaml:"greeting"`
	// GreetingWindow is how long the probe listens after connecting for a
	// greeting before it speaks. A bot that greets is heard out first, so
	// the reply measured is the reply to the probe's tone, not the
	// greeting. Default: 1s.
	GreetingWindow time.Duration `yaml:"greeting_window"`
	// ReplyTimeout bounds the wait for the bot's answer to the tone after
	// the tone ends (and always ends a little before the probe's timeout).
	// Default: 3s.
	ReplyTimeout time.Duration `yaml:"reply_timeout"`
	// RequireReply fails the probe (phase response_latency, reason
	// no_audio) when the bot spoke but did not answer the tone. Default:
	// false — a bot whose recognizer wants words does not answer a tone,
	// and its greeting already proves the media path.
	RequireReply bool `yaml:"require_reply"`
	// Hold keeps the call up this long after the reply before hanging up,
	// so RTCP reports (about one a second) flow both ways: the media
	// core then measures the call's RTT, and the probe's rtt comes from
	// RTCP rather than ICE. Default: 0 (hang up at once).
	Hold time.Duration `yaml:"hold"`
	// GreetingGap is the silence that ends a greeting. It must be longer
	// than the pauses inside the greeting. Default: 700ms.
	GreetingGap time.Duration `yaml:"greeting_gap"`
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

// Greeting strategies (Config.Greeting).
const (
	GreetingWait      = "wait"
	GreetingInterrupt = "interrupt"
)

// WithDefaults returns c with zero fields set to their defaults.
func (c Config) WithDefaults() Config {
	if c.ToneDuration <= 0 {
		c.ToneDuration = time.Second
	}
	if c.AudioThreshold <= 0 {
		c.AudioThreshold = 300
	}
	if c.ReplyTimeout <= 0 {
		c.ReplyTimeout = 3 * time.Second
	}
	c.Greeting = cmp.Or(c.Greeting, GreetingWait)
	if c.GreetingWindow <= 0 {
		c.GreetingWindow = time.Second
	}
	if c.GreetingGap <= 0 {
		c.GreetingGap = 700 * time.Millisecond
	}
	if c.WaitForAudio == nil {
		t := true
		c.WaitForAudio = &t
	}
	return c
}

// Validate checks the settings (not Target, which New parses): the ICE
// servers, the greeting strategy, and a TURN server for relay_only.
func (c Config) Validate() error {
	for i, s := range c.ICEServers {
		if !strings.HasPrefix(s.URL, "stun:") && !strings.HasPrefix(s.URL, "turn:") && !strings.HasPrefix(s.URL, "turns:") {
			return fmt.Errorf("%w: ice_servers[%d] %q: want stun:, turn: or turns:", ErrBadICEServer, i, probes.RedactTarget(s.URL))
		}
		if strings.HasPrefix(s.URL, "turn") && s.Secret == "" && (s.Username == "" || s.Password == "") {
			return fmt.Errorf("%w: ice_servers[%d] %q needs username+password or secret", ErrBadICEServer, i, probes.RedactTarget(s.URL))
		}
	}
	if c.Greeting != GreetingWait && c.Greeting != GreetingInterrupt {
		return fmt.Errorf("%w: greeting %q: want %q or %q", ErrBadConfig, c.Greeting, GreetingWait, GreetingInterrupt)
	}
	if c.RelayOnly && !hasTURN(c.ICEServers) {
		return fmt.Errorf("%w: relay_only needs a turn: or turns: ICE server", ErrBadICEServer)
	}
	return nil
}

func hasTURN(servers []ICEServer) bool {
	for _, s := range servers {
		if strings.HasPrefix(s.URL, "turn") {
			return true
		}
	}
	return false
}

// Option changes a prober's dependencies.
type Option func(*options)

type options struct {
	net    transport.Net
	logger *slog.Logger
	now    func() time.Time
	client *http.Client
}

// WithHTTPClient sets the client for WHIP requests (its TLS settings, e.g.
// a private CA); default a plain http.Client.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.client = c } }

// WithNet makes the prober use n (e.g. a pion vnet); default the real network.
func WithNet(n transport.Net) Option { return func(o *options) { o.net = n } }

// WithLogger sets the debug logger; default discards.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }
