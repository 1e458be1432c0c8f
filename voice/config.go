package voice

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/voicewatch/voicewatch/internal/httpguard"
	"github.com/voicewatch/voicewatch/internal/secret"
	"github.com/voicewatch/voicewatch/internal/yamlenv"
	"github.com/voicewatch/voicewatch/voice/audio"
)

// Config is the media core's configuration (voice.yaml). Zero fields take
// the defaults documented on each field (WithDefaults); Audio.Greeting is a
// pointer because an explicit false differs from unset (default true), and
// ICE.RelayAcceptanceMinWait because 0 is a meaningful setting (nil keeps
// pion's default).
type Config struct {
	// Listen is the HTTP address for WHIP, the test page and, unless
	// MetricsListen is set, /metrics. Default 127.0.0.1:8080.
	Listen string `yaml:"listen"`
	// MetricsListen serves /metrics on a separate listener when set.
	MetricsListen string `yaml:"metrics_listen"`
	// Auth configures bearer tokens for WHIP.
	Auth AuthConfig `yaml:"auth"`
	// MaxSessions caps concurrent sessions; beyond it POST /whip answers 503
	// with Retry-After. Default 100.
	MaxSessions int `yaml:"max_sessions"`
	// MaxSessionDuration ends a session (completed) after this long. Default 30m.
	MaxSessionDuration time.Duration `yaml:"max_session_duration"`
	// ICE configures servers, ports and timeouts.
	ICE ICEConfig `yaml:"ice"`
	// Audio configures the pipeline.
	Audio AudioConfig `yaml:"audio"`
	// Store configures where sessions are saved.
	Store StoreConfig `yaml:"store"`
	// Cluster lets several media cores share one load balancer; see
	// ClusterConfig and docs/deployment.md.
	Cluster ClusterConfig `yaml:"cluster"`
	// Providers selects and configures the STT, dialog, TTS and store
	// adapters (AWS Transcribe, ElevenLabs, DynamoDB, ...). It is kept raw
	// here and decoded by package voice/providers, which imports the
	// adapters (they import this package for its interfaces). Empty: the
	// embedded offline providers and the file store.
	Providers yaml.Node `yaml:"providers"`
	// HTTP configures the guard in front of every route: trusted proxies
	// (for X-Forwarded-For; entries may be comma-separated lists, empty ones
	// are ignored), per-client rate limit, body size limit.
	HTTP httpguard.Config `yaml:"http"`
	// OTLP exports one trace per session when otlp.traces_endpoint is set.
	OTLP OTLPConfig `yaml:"otlp"`
	// MaxSessionsPerClient caps concurrent sessions per client IP (an IPv6
	// /64), so one caller cannot take every slot; beyond it 503 with
	// Retry-After. Default 10.
	MaxSessionsPerClient int `yaml:"max_sessions_per_client"`

	// expanded are the values ${VAR} references expanded to: errors never
	// show them (see Redact).
	expanded []string
}

// MinTokenBytes is the shortest bearer token accepted: a guessable token
// is no authentication.
const MinTokenBytes = 16

// Redact returns err with every secret of c (bearer tokens, TURN
// credentials and secrets, and every value expanded from the environment)
// replaced by REDACTED; errors.Is/As still see the original. Every error
// the configuration produces goes through it.
func (c Config) Redact(err error) error {
	if err == nil {
		return nil
	}
	vals := append([]string(nil), c.expanded...)
	for _, t := range c.Auth.Tokens {
		vals = append(vals, t.Reveal())
	}
	for _, s := range c.ICE.Servers {
		vals = append(vals, s.Credential.Reveal(), s.Secret.Reveal())
	}
	return yamlenv.Scrub(err, vals)
}

// AuthConfig configures bearer-token authentication.
type AuthConfig struct {
	// Tokens are the accepted bearer tokens. Required unless InsecureNoAuth.
	Tokens []secret.Secret `yaml:"tokens"`
	// TokenFile reads one more token from a file (Docker/ECS secrets).
	TokenFile string `yaml:"token_file"`
	// InsecureNoAuth accepts every request. Only allowed when Listen is a
	// loopback address (agent demo, tests); flag --insecure-no-auth.
	InsecureNoAuth bool `yaml:"insecure_no_auth"`
}

// ICEConfig configures ICE.
type ICEConfig struct {
	// Servers are STUN and TURN servers (any number; udp, tcp, tls).
	Servers []ICEServer `yaml:"servers"`
	// UDPPortMin and UDPPortMax bound the UDP ports used for media (open
	// them in the firewall/security group). Default: any ephemeral port.
	UDPPortMin uint16 `yaml:"udp_port_min"`
	UDPPortMax uint16 `yaml:"udp_port_max"`
	// NAT1To1IPs are public IPs announced instead of host addresses (cloud
	// hosts with a 1:1 NAT, e.g. an EC2 elastic IP). An entry may hold
	// several comma-separated IPs and empty entries are ignored, so
	// ["${PUBLIC_IPS}"] works with an unset-to-empty or a multi-IP variable.
	NAT1To1IPs []string `yaml:"nat_1to1_ips"`
	// GatheringTimeout bounds ICE gathering before the answer is sent with
	// the candidates found so far. Default 10s.
	GatheringTimeout time.Duration `yaml:"gathering_timeout"`
	// STUNGatherTimeout bounds the wait for one STUN/TURN server while
	// gathering. Default 3s (pion's default is 5s). With STUN and TURN
	// servers configured, it is also how long the answer waits for a srflx
	// candidate once a relay candidate is in.
	STUNGatherTimeout time.Duration `yaml:"stun_gather_timeout"`
	// ConnectTimeout bounds answer → connected; then the session fails
	// with result timeout. Default 30s.
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	// DisconnectedTimeout: no traffic this long → disconnected. Default 5s.
	DisconnectedTimeout time.Duration `yaml:"disconnected_timeout"`
	// FailedTimeout: disconnected this long → failed. Default 25s.
	FailedTimeout time.Duration `yaml:"failed_timeout"`
	// KeepaliveInterval sends consent/keepalive checks when idle. Default 2s.
	KeepaliveInterval time.Duration `yaml:"keepalive_interval"`
	// RelayAcceptanceMinWait is how long ICE waits before it accepts a
	// relay pair when it is the controlling agent. pion's default is 2s,
	// which every TURN-only call pays; nil keeps pion's default.
	RelayAcceptanceMinWait *time.Duration `yaml:"relay_acceptance_min_wait"`
	// MaxRestarts bounds ICE restarts (PATCH with new credentials) per
	// session. Default 3.
	MaxRestarts int `yaml:"max_restarts"`
	// Interfaces keeps only these network interfaces (e.g. ["eth0"]).
	// Default: all.
	Interfaces []string `yaml:"interfaces"`
	// IPs keeps only host addresses inside these CIDRs. Default: all.
	IPs []string `yaml:"ips"`
	// IncludeLoopback gathers loopback candidates and accepts remote
	// loopback and link-local candidates (tests, demo). Default false:
	// remote candidates in loopback, link-local, multicast and unspecified
	// ranges are dropped, so a caller cannot aim connectivity checks at the
	// host itself or the cloud metadata address.
	IncludeLoopback bool `yaml:"include_loopback"`
	// MaxRemoteCandidates caps the remote candidates of a session (offer
	// and PATCHes; an ICE restart starts a new count); beyond it the
	// request is answered 400. Default 20.
	MaxRemoteCandidates int `yaml:"max_remote_candidates"`
	// MaxPatches caps PATCH requests per session; beyond it 429.
	// Default 50.
	MaxPatches int `yaml:"max_patches"`
}

// ICEServer is one STUN or TURN server.
type ICEServer struct {
	// URLs like stun:host:3478, turn:host:3478?transport=tcp, turns:host:5349.
	URLs []string `yaml:"urls"`
	// Username and Credential are static long-term credentials.
	Username   string        `yaml:"username"`
	Credential secret.Secret `yaml:"credential"`
	// Secret derives TURN REST credentials (coturn use-auth-secret) per
	// session instead of static ones; Username becomes the user part.
	Secret secret.Secret `yaml:"secret"`
	// TTL of TURN REST credentials. Default 1h: OPTIONS /whip hands them to
	// any caller with a token (the test page shows them), and whoever holds
	// them can relay through the TURN server until they expire; they must
	// outlive the longest call (relayed calls refresh their allocation with
	// them), so at least max_session_duration.
	TTL time.Duration `yaml:"ttl"`
}

// AudioConfig configures the pipeline.
type AudioConfig struct {
	// Greeting plays the greeting prompt when a call connects. Default true.
	Greeting *bool `yaml:"greeting"`
	// SilenceTimeout: no speech this long ends the user's turn as an STT
	// timeout (not a failure). Default 15s.
	SilenceTimeout time.Duration `yaml:"silence_timeout"`
	// VADThreshold is the quietest level, in -dBov, counted as speech.
	// Default 50.
	VADThreshold uint8 `yaml:"vad_threshold"`
	// EndOfSpeech is the silence that ends an utterance. Default 600ms.
	EndOfSpeech time.Duration `yaml:"end_of_speech"`
	// BargeIn is what the pipeline does when the caller speaks while the
	// bot is talking: "stop" (default) cuts the bot's prompt short,
	// "ignore" lets it finish. Either way voice_interruptions_total counts it.
	BargeIn string `yaml:"barge_in"`
}

// Barge-in reactions (audio.barge_in).
const (
	BargeInStop   = "stop"
	BargeInIgnore = "ignore"
)

// StoreConfig configures the session store.
type StoreConfig struct {
	// Dir is where the embedded store keeps session records. Default
	// ./voicewatch-sessions.
	Dir string `yaml:"dir"`
	// Retention deletes the embedded store's records older than this
	// (checked at start and every Retention/24, at most hourly). Default 0:
	// keep every record.
	Retention time.Duration `yaml:"retention"`
}

// WithDefaults returns c with every zero field set to its documented
// default, comma-separated list entries (ice.nat_1to1_ips,
// http.trusted_proxies) split and empty ones dropped. It does not change
// c: slices it fills are copied.
func (c Config) WithDefaults() Config {
	c.Listen = cmp.Or(c.Listen, "127.0.0.1:8080")
	c.MaxSessions = cmp.Or(c.MaxSessions, 100)
	c.MaxSessionsPerClient = cmp.Or(c.MaxSessionsPerClient, 10)
	c.MaxSessionDuration = cmp.Or(c.MaxSessionDuration, 30*time.Minute)
	c.ICE.GatheringTimeout = cmp.Or(c.ICE.GatheringTimeout, 10*time.Second)
	c.ICE.STUNGatherTimeout = cmp.Or(c.ICE.STUNGatherTimeout, 3*time.Second)
	c.ICE.ConnectTimeout = cmp.Or(c.ICE.ConnectTimeout, 30*time.Second)
	c.ICE.DisconnectedTimeout = cmp.Or(c.ICE.DisconnectedTimeout, 5*time.Second)
	c.ICE.FailedTimeout = cmp.Or(c.ICE.FailedTimeout, 25*time.Second)
	c.ICE.KeepaliveInterval = cmp.Or(c.ICE.KeepaliveInterval, 2*time.Second)
	c.ICE.MaxRestarts = cmp.Or(c.ICE.MaxRestarts, 3)
	c.ICE.MaxRemoteCandidates = cmp.Or(c.ICE.MaxRemoteCandidates, DefaultMaxRemoteCandidates)
	c.ICE.MaxPatches = cmp.Or(c.ICE.MaxPatches, DefaultMaxPatches)
	c.ICE.Servers = slices.Clone(c.ICE.Servers)
	for i := range c.ICE.Servers {
		c.ICE.Servers[i].TTL = cmp.Or(c.ICE.Servers[i].TTL, DefaultTURNCredentialTTL)
	}
	c.ICE.NAT1To1IPs = splitList(c.ICE.NAT1To1IPs)
	if c.Audio.Greeting == nil {
		t := true
		c.Audio.Greeting = &t
	}
	c.Audio.SilenceTimeout = cmp.Or(c.Audio.SilenceTimeout, 15*time.Second)
	c.Audio.EndOfSpeech = cmp.Or(c.Audio.EndOfSpeech, audio.DefaultHangover)
	c.Audio.VADThreshold = cmp.Or(c.Audio.VADThreshold, audio.DefaultVADThreshold)
	c.Audio.BargeIn = cmp.Or(c.Audio.BargeIn, BargeInStop)
	c.Store.Dir = cmp.Or(c.Store.Dir, "./voicewatch-sessions")
	c.Cluster.ForwardWait = cmp.Or(c.Cluster.ForwardWait, 2*time.Second)
	c.HTTP = c.HTTP.WithDefaults()
	c.HTTP.TrustedProxies = splitList(c.HTTP.TrustedProxies)
	return c
}

// DefaultTURNCredentialTTL is the default lifetime of TURN REST
// credentials (ICEServer.TTL).
const DefaultTURNCredentialTTL = time.Hour

// Validate checks a configuration with defaults applied (WithDefaults),
// saying what to fix. Its errors never contain a secret (see Redact).
func (c Config) Validate() error {
	return c.Redact(c.validate())
}

func (c Config) validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("listen %q: want host:port: %w", c.Listen, err))
	}
	if c.Auth.InsecureNoAuth {
		if !LoopbackListen(c.Listen) {
			errs = append(errs, fmt.Errorf("auth.insecure_no_auth is only allowed on a loopback listen address, not %q: set auth.tokens", c.Listen))
		}
	} else if len(c.Auth.Tokens) == 0 && c.Auth.TokenFile == "" {
		errs = append(errs, errors.New("auth: no bearer token configured: set auth.tokens or auth.token_file (or --insecure-no-auth on loopback)"))
	}
	for i, t := range c.Auth.Tokens {
		if n := len(t.Reveal()); n < MinTokenBytes {
			errs = append(errs, fmt.Errorf("auth.tokens[%d]: %d bytes; a bearer token needs at least %d (e.g. openssl rand -hex 16)", i, n, MinTokenBytes))
		}
	}
	if c.ICE.UDPPortMin != 0 || c.ICE.UDPPortMax != 0 {
		// One session holds one media port per local address (audio only,
		// BUNDLE and rtcp-mux): fewer ports than sessions cannot work.
		if ports := int(c.ICE.UDPPortMax) - int(c.ICE.UDPPortMin) + 1; ports > 0 && ports < c.MaxSessions {
			errs = append(errs, fmt.Errorf("max_sessions %d: ice.udp_port_min..udp_port_max (%d..%d) has %d ports, and each session needs one: lower max_sessions or widen the range",
				c.MaxSessions, c.ICE.UDPPortMin, c.ICE.UDPPortMax, ports))
		}
	}
	if c.MaxSessionsPerClient < 0 || c.Store.Retention < 0 {
		errs = append(errs, errors.New("max_sessions_per_client and store.retention must be positive"))
	}
	if c.ICE.UDPPortMax < c.ICE.UDPPortMin {
		errs = append(errs, fmt.Errorf("ice.udp_port_max %d is below ice.udp_port_min %d", c.ICE.UDPPortMax, c.ICE.UDPPortMin))
	}
	for i, s := range c.ICE.Servers {
		if len(s.URLs) == 0 {
			errs = append(errs, fmt.Errorf("ice.servers[%d]: no urls", i))
		}
		for _, u := range s.URLs {
			if err := validateICEURL(u); err != nil {
				errs = append(errs, fmt.Errorf("ice.servers[%d]: %w", i, err))
			} else if isTURN(u) && s.Secret == "" && (s.Username == "" || s.Credential == "") {
				errs = append(errs, fmt.Errorf("ice.servers[%d]: TURN url %q needs username+credential or secret", i, u))
			}
		}
		if s.Secret != "" && s.TTL < c.MaxSessionDuration {
			errs = append(errs, fmt.Errorf("ice.servers[%d].ttl %v is shorter than max_session_duration %v: a relayed call could not refresh its allocation", i, s.TTL, c.MaxSessionDuration))
		}
	}
	for _, ip := range c.ICE.NAT1To1IPs {
		if _, err := netip.ParseAddr(ip); err != nil {
			errs = append(errs, fmt.Errorf("ice.nat_1to1_ips: %q is not an IP address", ip))
		}
	}
	for _, p := range c.ICE.IPs {
		if _, err := netip.ParsePrefix(p); err != nil {
			errs = append(errs, fmt.Errorf("ice.ips: %q is not a CIDR (like 10.0.0.0/8)", p))
		}
	}
	if err := c.OTLP.validate(); err != nil {
		errs = append(errs, err)
	}
	if c.Audio.BargeIn != BargeInStop && c.Audio.BargeIn != BargeInIgnore {
		errs = append(errs, fmt.Errorf("audio.barge_in %q: want %q or %q", c.Audio.BargeIn, BargeInStop, BargeInIgnore))
	}
	if c.ICE.MaxRemoteCandidates < 0 || c.ICE.MaxPatches < 0 {
		errs = append(errs, errors.New("ice.max_remote_candidates and ice.max_patches must be positive"))
	}
	if c.MaxSessions < 0 {
		errs = append(errs, errors.New("max_sessions must be positive"))
	}
	if err := c.HTTP.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Cluster.validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func validateICEURL(u string) error {
	scheme, _, ok := strings.Cut(u, ":")
	switch {
	case !ok:
		return fmt.Errorf("ICE url %q: want stun:host:port or turn:host:port?transport=udp|tcp", u)
	case scheme != "stun" && scheme != "stuns" && scheme != "turn" && scheme != "turns":
		return fmt.Errorf("ICE url %q: scheme must be stun, stuns, turn or turns", u)
	}
	if q, err := url.Parse(u); err == nil {
		if t := q.Query().Get("transport"); t != "" && t != "udp" && t != "tcp" {
			return fmt.Errorf("ICE url %q: transport must be udp or tcp", u)
		}
	}
	return nil
}

func isTURN(u string) bool { return strings.HasPrefix(u, "turn:") || strings.HasPrefix(u, "turns:") }

// LoopbackListen reports whether a listen address (host:port) binds
// loopback only ("localhost" included); an empty host (":8080") binds
// every interface. auth.insecure_no_auth needs one.
func LoopbackListen(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// LoadConfig reads the YAML file at path (none when path is empty: every
// default) and returns it through ParseConfig.
func LoadConfig(path string, overrides ...func(*Config)) (Config, error) {
	var b []byte
	if path != "" {
		var err error
		if b, err = os.ReadFile(path); err != nil {
			return Config{}, fmt.Errorf("read config: %w", err)
		}
	}
	return ParseConfig(b, overrides...)
}

// ParseConfig is the media core's one loader: it decodes b (DecodeConfig:
// ${VAR} references expanded from the environment, for secrets; unknown
// fields are errors), applies overrides (command-line flags) in order, then
// WithDefaults, then Validate.
func ParseConfig(b []byte, overrides ...func(*Config)) (Config, error) {
	c, err := DecodeConfig(b)
	if err != nil {
		return Config{}, err
	}
	for _, o := range overrides {
		o(&c)
	}
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("invalid config: %w", err)
	}
	return c, nil
}

// DecodeConfig expands ${VAR} references in values (never in comments or
// keys, and an environment value cannot add YAML), decodes strictly (unknown
// fields are errors) and reads auth.token_file. It neither applies defaults
// nor validates: ParseConfig does.
func DecodeConfig(b []byte) (Config, error) {
	var c Config
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return Config{}, fmt.Errorf("parse config: %w", err)
	}
	if root.Kind == 0 { // empty file: every default
		return c, nil
	}
	secrets, err := yamlenv.Expand(&root, os.LookupEnv)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	c.expanded = secrets
	if err := yamlenv.DecodeStrict(&root, &c); err != nil {
		return Config{}, c.Redact(fmt.Errorf("parse config: %w", err))
	}
	c.expanded = secrets
	if c.Auth.TokenFile != "" {
		s, err := secret.FromFile(c.Auth.TokenFile)
		if err != nil {
			return Config{}, c.Redact(fmt.Errorf("auth.token_file: %w", err))
		}
		c.Auth.Tokens = append(c.Auth.Tokens, s)
	}
	return c, nil
}

// splitList splits comma-separated entries and drops empty ones.
func splitList(in []string) []string {
	var out []string
	for _, e := range in {
		for _, p := range strings.Split(e, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}
