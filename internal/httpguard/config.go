package httpguard

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/netip"
	"time"

	"gopkg.in/yaml.v3"
)

// Defaults applied by [Config.WithDefaults] to zero-valued fields.
const (
	DefaultRatePerSecond = 20
	DefaultBurst         = 40
	DefaultMaxBodyBytes  = 64 << 10
	DefaultMaxClients    = 10000
	// DefaultMaxConnsPerClient bounds open connections per client (IPv4
	// address or IPv6 /64); a browser opens at most 6 per origin.
	DefaultMaxConnsPerClient = 32
	// DefaultReadTimeout bounds reading one request, body included.
	DefaultReadTimeout = 15 * time.Second
	// DefaultWriteTimeout bounds one request from the end of its headers to
	// the end of its response; it must exceed the media core's ICE
	// gathering timeout (POST /whip waits for gathering).
	DefaultWriteTimeout = 30 * time.Second
	// DefaultIdleTimeout closes idle keep-alive connections.
	DefaultIdleTimeout = 30 * time.Second
)

// Config configures a [Guard]. The zero value is usable: every zero field
// takes its default.
type Config struct {
	// TrustedProxies lists the CIDRs (or single addresses) of the proxies
	// in front of the server, e.g. the ALB's subnets. X-Forwarded-For is
	// honoured only from a peer inside one of them. Default: none, so the
	// TCP peer is always the client.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// RatePerSecond is the sustained request rate allowed per client IP.
	// Default 20.
	RatePerSecond float64 `yaml:"rate_per_second"`
	// Burst is the number of requests a client may send at once before the
	// rate applies. Default 40.
	Burst int `yaml:"burst"`
	// MaxBodyBytes is the largest request body accepted, in bytes.
	// Default 64 KiB.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// MaxClients bounds the number of client IPs whose rate-limit state is
	// kept; the least recently seen client is forgotten first. Default 10000.
	MaxClients int `yaml:"max_clients"`
	// MaxConnsPerClient bounds open connections per client IP (an IPv6
	// /64) as seen on TCP; connections from trusted proxies are not
	// capped. Default 32.
	MaxConnsPerClient int `yaml:"max_conns_per_client"`
	// ReadTimeout bounds reading a request, body included; a slow body is
	// cut off. Default 15s.
	ReadTimeout time.Duration `yaml:"read_timeout"`
	// WriteTimeout bounds a request from the end of its headers to the end
	// of its response (not WebSockets). Default 30s.
	WriteTimeout time.Duration `yaml:"write_timeout"`
	// IdleTimeout closes keep-alive connections idle this long. Default 30s.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
}

// ApplyTimeouts sets srv's read, write and idle timeouts from c (with
// defaults for zero fields) and a ReadHeaderTimeout no longer than the
// read timeout.
func (c Config) ApplyTimeouts(srv *http.Server) {
	c = c.WithDefaults()
	srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout = c.ReadTimeout, c.WriteTimeout, c.IdleTimeout
	srv.ReadHeaderTimeout = min(10*time.Second, c.ReadTimeout)
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	c.RatePerSecond = cmp.Or(c.RatePerSecond, DefaultRatePerSecond)
	c.Burst = cmp.Or(c.Burst, DefaultBurst)
	c.MaxBodyBytes = cmp.Or(c.MaxBodyBytes, DefaultMaxBodyBytes)
	c.MaxClients = cmp.Or(c.MaxClients, DefaultMaxClients)
	c.MaxConnsPerClient = cmp.Or(c.MaxConnsPerClient, DefaultMaxConnsPerClient)
	c.ReadTimeout = cmp.Or(c.ReadTimeout, DefaultReadTimeout)
	c.WriteTimeout = cmp.Or(c.WriteTimeout, DefaultWriteTimeout)
	c.IdleTimeout = cmp.Or(c.IdleTimeout, DefaultIdleTimeout)
	return c
}

// Validate reports every problem in c, each wrapped in [ErrInvalidConfig]
// and naming the YAML field. Zero fields are valid (WithDefaults fills
// them), so it gives the same answer before and after WithDefaults.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...))
	}
	for i, s := range c.TrustedProxies {
		if _, err := parsePrefix(s); err != nil {
			bad("trusted_proxies[%d]: %q is not a CIDR or IP address (want e.g. 10.0.0.0/16 or 10.0.3.7)", i, s)
		}
	}
	if math.IsNaN(c.RatePerSecond) || math.IsInf(c.RatePerSecond, 0) || c.RatePerSecond < 0 {
		bad("rate_per_second: %v must be a positive number of requests per second (0 means the default, %d)", c.RatePerSecond, DefaultRatePerSecond)
	}
	if c.Burst < 0 {
		bad("burst: %d must be positive (0 means the default, %d)", c.Burst, DefaultBurst)
	}
	if c.MaxBodyBytes < 0 {
		bad("max_body_bytes: %d must be positive (0 means the default, %d)", c.MaxBodyBytes, DefaultMaxBodyBytes)
	}
	if c.MaxClients < 0 {
		bad("max_clients: %d must be positive (0 means the default, %d)", c.MaxClients, DefaultMaxClients)
	}
	if c.MaxConnsPerClient < 0 {
		bad("max_conns_per_client: %d must be positive (0 means the default, %d)", c.MaxConnsPerClient, DefaultMaxConnsPerClient)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"read_timeout", c.ReadTimeout}, {"write_timeout", c.WriteTimeout}, {"idle_timeout", c.IdleTimeout}} {
		if d.v < 0 {
			bad("%s: %v must be positive (0 means the default)", d.name, d.v)
		}
	}
	return errors.Join(errs...)
}

// prefixes returns the parsed TrustedProxies; c must be valid.
func (c Config) prefixes() ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(c.TrustedProxies))
	for i, s := range c.TrustedProxies {
		p, err := parsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("%w: trusted_proxies[%d]: %w", ErrInvalidConfig, i, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// parsePrefix accepts a CIDR or a bare address (a one-address prefix).
func parsePrefix(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96).Masked(), nil
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// ParseConfig decodes a YAML guard configuration strictly (unknown fields
// are errors), then WithDefaults, then Validate, as yamlenv.Load does. It
// does not call yamlenv.Load: linking that package into the guard slowed
// the per-request classification benchmark by ~20 % (code layout; see
// docs/benchmarks.md), and the guard is on every request's path.
func ParseConfig(r io.Reader) (Config, error) {
	var c Config
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}
