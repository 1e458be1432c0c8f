package scrape

import (
	"cmp"
	"fmt"
	"net/url"
	"time"

	"github.com/prometheus/common/model"
)

// Config is the scrape section of the sidecar configuration.
type Config struct {
	// Interval between scrapes of a target. Default 15s.
	Interval time.Duration `yaml:"interval"`
	// Timeout of one scrape. Default 10s (capped at Interval).
	Timeout time.Duration `yaml:"timeout"`
	// MaxBodyBytes bounds one response body. Default 16 MiB.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// Targets to scrape. Default none.
	Targets []TargetConfig `yaml:"targets"`
}

// TargetConfig is one scrape target. Zero fields take the section's values.
type TargetConfig struct {
	// Name identifies the target in voicewatch_scrape_* (label target).
	// Required, unique.
	Name string `yaml:"name"`
	// URL is the http(s) URL of the metrics endpoint. Required.
	URL string `yaml:"url"`
	// Interval overrides Config.Interval.
	Interval time.Duration `yaml:"interval"`
	// Timeout overrides Config.Timeout.
	Timeout time.Duration `yaml:"timeout"`
	// MaxBodyBytes overrides Config.MaxBodyBytes.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// Labels are added to every scraped series. Default {job: Name}. A
	// scraped label of the same name is kept as exported_<name>.
	Labels map[string]string `yaml:"labels"`
}

// Defaults.
const (
	DefaultInterval     = 15 * time.Second
	DefaultTimeout      = 10 * time.Second
	DefaultMaxBodyBytes = 16 << 20
)

// WithDefaults returns c with every zero field, and every target's, set to
// its default.
func (c Config) WithDefaults() Config {
	c.Interval = cmp.Or(c.Interval, DefaultInterval)
	c.Timeout = cmp.Or(c.Timeout, min(DefaultTimeout, c.Interval))
	c.MaxBodyBytes = cmp.Or(c.MaxBodyBytes, DefaultMaxBodyBytes)
	targets := make([]TargetConfig, len(c.Targets))
	for i, t := range c.Targets {
		t.Interval = cmp.Or(t.Interval, c.Interval)
		t.Timeout = cmp.Or(t.Timeout, min(c.Timeout, t.Interval))
		t.MaxBodyBytes = cmp.Or(t.MaxBodyBytes, c.MaxBodyBytes)
		if t.Labels == nil {
			t.Labels = map[string]string{"job": t.Name}
		}
		targets[i] = t
	}
	c.Targets = targets
	return c
}

// Validate reports the first invalid setting with what to change; call it
// on WithDefaults' result.
func (c Config) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, a...))
	}
	seen := map[string]int{}
	for i, t := range c.Targets {
		where := fmt.Sprintf("scrape.targets[%d]", i)
		if t.Name == "" {
			return bad("%s: name is required (it becomes the target label)", where)
		}
		if j, dup := seen[t.Name]; dup {
			return bad("%s: name %q already used by scrape.targets[%d]", where, t.Name, j)
		}
		seen[t.Name] = i
		u, err := url.Parse(t.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("%s (%s): url %q must be an http:// or https:// URL like http://127.0.0.1:8080/metrics", where, t.Name, t.URL)
		}
		if t.Interval <= 0 || t.Timeout <= 0 {
			return bad("%s (%s): interval and timeout must be positive", where, t.Name)
		}
		if t.Timeout > t.Interval {
			return bad("%s (%s): timeout %s is longer than interval %s", where, t.Name, t.Timeout, t.Interval)
		}
		if t.MaxBodyBytes <= 0 {
			return bad("%s (%s): max_body_bytes must be positive (default %d)", where, t.Name, DefaultMaxBodyBytes)
		}
		for k := range t.Labels {
			if !model.LabelName(k).IsValidLegacy() || len(k) >= 2 && k[:2] == "__" {
				return bad("%s (%s): label name %q is not a valid Prometheus label name", where, t.Name, k)
			}
		}
	}
	return nil
}
