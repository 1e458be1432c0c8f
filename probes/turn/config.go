package turn

import (
	"log/slog"
	"time"

	"github.com/pion/transport/v5"
)

// Config configures a TURN prober. Secrets (Password, Secret) never appear
// in results, logs or errors.
type Config struct {
	// Target is the server URI: "turn:host:port?transport=udp|tcp" or
	// "turns:host:port?transport=tcp" (TLS). Port default 3478 / 5349.
	Target string `yaml:"-"`
	// Username and Password are long-term credentials.
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	// Secret enables TURN REST credentials derived from this shared secret
	// instead of Username/Password.
	Secret string `yaml:"secret"`
	// RESTUser is the user part of REST usernames. Default: "voicewatch-probe".
	RESTUser string `yaml:"rest_user"`
	// RESTTTL is how long REST credentials are valid. Default: 1h.
	RESTTTL time.Duration `yaml:"rest_ttl"`
	// CAFile pins the CA (PEM) that must sign a TLS server's certificate;
	// default: the system roots.
	CAFile string `yaml:"ca_file"`
	// ServerName overrides the TLS server name; default: the URI host.
	ServerName string `yaml:"server_name"`
	// PeerAddress is the address ("ip:port") the relay sends to; default:
	// the echo peer's own server-reflexive address, learned with a Binding
	// request to the server over UDP.
	PeerAddress string `yaml:"peer_address"`
	// EchoCount is how many packets are echoed through the relay, like
	// turnutils_uclient's -n: the probe reports their loss, mean and 95th
	// percentile round-trip time and jitter. Default: 20.
	EchoCount int `yaml:"echo_count"`
	// EchoInterval is the pause between echo packets. Default: 20ms (the
	// packet rate of a voice call).
	EchoInterval time.Duration `yaml:"echo_interval"`
	// EchoWait is how long the probe waits for the last echoes after the
	// last packet is sent; later ones count as lost. Default: 1s.
	EchoWait time.Duration `yaml:"echo_wait"`
	// RTO is the STUN retransmission timeout over UDP. Default: 200ms (pion).
	RTO time.Duration `yaml:"rto"`
	// Software is sent in SOFTWARE attributes. Default: "voicewatch-probe".
	Software string `yaml:"software"`
	// Now is the clock used for REST credential expiry. Default: time.Now.
	Now func() time.Time `yaml:"-"`
}

func (c Config) withDefaults() Config {
	if c.RESTUser == "" {
		c.RESTUser = "voicewatch-probe"
	}
	if c.RESTTTL <= 0 {
		c.RESTTTL = time.Hour
	}
	if c.EchoCount <= 0 {
		c.EchoCount = 20
	}
	if c.EchoInterval <= 0 {
		c.EchoInterval = 20 * time.Millisecond
	}
	if c.EchoWait <= 0 {
		c.EchoWait = time.Second
	}
	if c.Software == "" {
		c.Software = "voicewatch-probe"
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Phases are the phase names of a TURN probe, in order; "connect" runs
// only over TCP and TLS.
var Phases = []string{"connect", "allocate", "peer_binding", "permission", "relay_echo", "refresh", "deallocate"}

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
