package turn

import (
	"cmp"
	"crypto/x509"
	"fmt"
	"os"
	"time"

	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/probes/internal/stunturn"
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

// WithDefaults returns c with zero fields set to their defaults.
func (c Config) WithDefaults() Config {
	c.RESTUser = cmp.Or(c.RESTUser, probes.DefaultSoftware)
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
	c.Software = cmp.Or(c.Software, probes.DefaultSoftware)
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Validate checks the settings (not Target, which New parses): a TURN
// probe needs credentials.
func (c Config) Validate() error {
	if c.Secret == "" && (c.Username == "" || c.Password == "") {
		return ErrNoCredentials
	}
	return nil
}

// roots loads CAFile; nil (the system roots) without one.
func (c Config) roots() (*x509.CertPool, error) {
	if c.CAFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(c.CAFile)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCAFile, err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%w: %s holds no PEM certificate", ErrCAFile, c.CAFile)
	}
	return roots, nil
}

// Option changes how a prober reaches the network.
type Option = stunturn.Option

// WithNet makes the prober use n (e.g. a pion vnet); default the real network.
var WithNet = stunturn.WithNet

// WithLogger sets the debug logger; default discards.
var WithLogger = stunturn.WithLogger
