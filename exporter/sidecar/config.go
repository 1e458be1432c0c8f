package sidecar

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/voicewatch/voicewatch/exporter/cardinality"
	"github.com/voicewatch/voicewatch/exporter/cloudwatch"
	"github.com/voicewatch/voicewatch/exporter/logs"
	"github.com/voicewatch/voicewatch/exporter/scrape"
	"github.com/voicewatch/voicewatch/internal/yamlenv"
)

// Config is the sidecar configuration file (see testdata/sidecar.yaml).
// Every section is optional.
type Config struct {
	// Listen is the HTTP address of /metrics, /probe and the status page;
	// the --listen flag overrides it. Default "127.0.0.1:9464".
	Listen string `yaml:"listen"`
	// Scrape lists the Prometheus targets to scrape. Default: none.
	Scrape scrape.Config `yaml:"scrape"`
	// Probes are the scheduled probe suite. Default: none.
	Probes ProbesConfig `yaml:"probes"`
	// Modules are named probe templates for GET /probe?module=NAME&target=T,
	// like blackbox_exporter's modules: a probe entry of the suite format
	// without name and target ({kind, timeout, repeat, assert, <kind>: {...}}).
	// Default: none.
	Modules map[string]yaml.Node `yaml:"modules"`
	// Logs are the followed log files. Default: none (nil).
	Logs *logs.Config `yaml:"logs"`
	// Cardinality is the per-metric series limit of everything published.
	Cardinality cardinality.Config `yaml:"cardinality"`
	// CloudWatch enables the CloudWatch sink (mode api or emf). Default:
	// disabled (nil). Changes need a restart: Reload keeps the exporter and
	// its buffer.
	CloudWatch *cloudwatch.Config `yaml:"cloudwatch"`
	// OTLP enables the OTLP/HTTP sink. Default: disabled (nil). Changes need
	// a restart.
	OTLP *OTLPConfig `yaml:"otlp"`
	// ExportInterval is how often CloudWatch and OTLP receive a collection.
	// Default 60s. Changes need a restart.
	ExportInterval time.Duration `yaml:"export_interval"`
	// ShutdownGrace bounds the final export and flush on shutdown (keep it
	// below the ECS stop timeout, 30s by default). Default 25s.
	ShutdownGrace time.Duration `yaml:"shutdown_grace"`
	// RecentFailures is how many probe failures the status page keeps.
	// Default 20.
	RecentFailures int `yaml:"recent_failures"`
	// MaxConcurrentProbes bounds GET /probe runs in flight; beyond it 429.
	// Default 8. Changes need a restart.
	MaxConcurrentProbes int `yaml:"max_concurrent_probes"`

	// suiteBase is the directory relative suite_file paths resolve against.
	suiteBase string
	// modules are Modules decoded by Validate: GET /probe binds targets
	// to them.
	modules map[string]probeModule
}

// ProbesConfig schedules a probe suite.
type ProbesConfig struct {
	// Interval between runs of each probe. Default 60s.
	Interval time.Duration `yaml:"interval"`
	// Intervals overrides Interval per probe name. Default: none.
	Intervals map[string]time.Duration `yaml:"intervals"`
	// SuiteFile is a suite file in cmd/probe's format (probes/suite).
	// Relative paths resolve against the configuration file's directory.
	SuiteFile string `yaml:"suite_file"`
	// Suite is an inline suite in the same format; use SuiteFile or Suite.
	Suite yaml.Node `yaml:"suite"`
	// Parallel bounds probes running at the same time. Default 4.
	Parallel int `yaml:"parallel"`
}

// OTLPConfig configures the OTLP/HTTP metric exporter.
type OTLPConfig struct {
	// Endpoint is the full URL, e.g. "http://127.0.0.1:4318/v1/metrics".
	// Required.
	Endpoint string `yaml:"endpoint"`
	// Headers are sent with every request (e.g. an API key through
	// ${ENV}); never logged. Default none.
	Headers map[string]string `yaml:"headers"`
	// Timeout of one export. Default 10s.
	Timeout time.Duration `yaml:"timeout"`
}

// Defaults.
const (
	DefaultListen         = "127.0.0.1:9464"
	DefaultExportInterval = 60 * time.Second
	DefaultShutdownGrace  = 25 * time.Second
	DefaultProbeInterval  = 60 * time.Second
)

// WithDefaults returns c with every zero field, its sections' included,
// set to its default. The optional sections (logs, cloudwatch, otlp) stay
// nil when unset; when set they are copied, so c is not changed.
func (c Config) WithDefaults() Config {
	c.Listen = cmp.Or(c.Listen, DefaultListen)
	c.Scrape = c.Scrape.WithDefaults()
	c.Cardinality = c.Cardinality.WithDefaults()
	c.ExportInterval = cmp.Or(c.ExportInterval, DefaultExportInterval)
	c.ShutdownGrace = cmp.Or(c.ShutdownGrace, DefaultShutdownGrace)
	c.RecentFailures = cmp.Or(c.RecentFailures, 20)
	c.MaxConcurrentProbes = cmp.Or(c.MaxConcurrentProbes, DefaultMaxConcurrentProbes)
	c.Probes.Interval = cmp.Or(c.Probes.Interval, DefaultProbeInterval)
	c.Probes.Parallel = cmp.Or(c.Probes.Parallel, 4)
	if c.Logs != nil {
		l := c.Logs.WithDefaults()
		c.Logs = &l
	}
	if c.CloudWatch != nil {
		cw := c.CloudWatch.WithDefaults()
		c.CloudWatch = &cw
	}
	if c.OTLP != nil {
		o := *c.OTLP
		o.Timeout = cmp.Or(o.Timeout, 10*time.Second)
		c.OTLP = &o
	}
	return c
}

// LoadOptions control ParseConfig.
type LoadOptions struct {
	// Getenv resolves ${NAME}. Default os.LookupEnv.
	Getenv func(string) (string, bool)
	// Dir is the directory relative paths (probes.suite_file) resolve
	// against. Default: the current directory.
	Dir string
}

// LoadConfig reads, expands and decodes the file at path strictly and
// validates it, including building every probe and module (no network).
func LoadConfig(path string, opts LoadOptions) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	if opts.Dir == "" {
		opts.Dir = dirOf(path)
	}
	cfg, err := ParseConfig(bytes.NewReader(b), opts)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// ParseConfig is the sidecar's one loader: ${ENV} references in values
// are expanded, the document is decoded strictly (unknown fields are
// errors, in every section), then WithDefaults, then Validate (probes and
// modules are built, no network is used). An empty document is every
// default. Errors wrap ErrInvalidConfig and never contain an expanded
// value.
func ParseConfig(r io.Reader, opts LoadOptions) (Config, error) {
	if opts.Getenv == nil {
		opts.Getenv = os.LookupEnv
	}
	var cfg Config
	var secrets []string
	var root yaml.Node
	switch err := yaml.NewDecoder(r).Decode(&root); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return Config{}, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	default:
		if secrets, err = yamlenv.Expand(&root, opts.Getenv); err != nil {
			return Config{}, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
		}
		if err := yamlenv.DecodeStrict(&root, &cfg); err != nil {
			return Config{}, yamlenv.Scrub(fmt.Errorf("%w: %w", ErrInvalidConfig, err), secrets)
		}
	}
	cfg.suiteBase = opts.Dir
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return Config{}, yamlenv.Scrub(err, secrets)
	}
	return cfg, nil
}

// targetLabels returns the label names the scrape targets add to every
// series they scrape, sorted.
func (c *Config) targetLabels() []string {
	seen := map[string]bool{}
	for _, t := range c.Scrape.Targets {
		for k := range t.Labels {
			seen[k] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Validate checks every section of a config with defaults applied
// (WithDefaults), builds the probes and decodes the modules once (kept for
// GET /probe, which only binds targets to them). ParseConfig and New call
// it.
func (c *Config) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, a...))
	}
	if err := c.Scrape.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	if c.Logs != nil {
		if err := c.Logs.Validate(); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
		}
	}
	if c.CloudWatch != nil {
		if err := c.CloudWatch.Validate(); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
		}
		if err := c.CloudWatch.CheckContract(c.targetLabels()); err != nil {
			return fmt.Errorf("%w: cloudwatch: %w", ErrInvalidConfig, err)
		}
	}
	if c.OTLP != nil {
		u, err := url.Parse(c.OTLP.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("otlp.endpoint must be an http(s) URL like http://127.0.0.1:4318/v1/metrics")
		}
	}
	if c.ExportInterval <= 0 || c.ShutdownGrace <= 0 {
		return bad("export_interval and shutdown_grace must be positive")
	}
	if c.Cardinality.MaxSeriesPerMetric < 0 || c.Cardinality.MaxMetrics < 0 || c.Cardinality.ForgetAfter < 0 {
		return bad("cardinality: limits must be positive")
	}
	if c.Probes.Interval < 0 || c.Probes.Parallel < 0 || c.RecentFailures < 0 || c.MaxConcurrentProbes < 0 {
		return bad("probes.interval, probes.parallel, recent_failures and max_concurrent_probes must be positive")
	}
	if c.Probes.SuiteFile != "" && !c.Probes.Suite.IsZero() {
		return bad("probes: set suite_file or suite, not both")
	}
	specs, err := c.buildSpecs(defaultProbeEnv())
	if err != nil {
		return err
	}
	names := map[string]bool{}
	for _, s := range specs {
		names[s.Name] = true
	}
	for name, d := range c.Probes.Intervals {
		if !names[name] {
			return bad("probes.intervals: no probe named %q in the suite", name)
		}
		if d <= 0 {
			return bad("probes.intervals.%s: must be positive", name)
		}
	}
	mods, err := c.decodeModules()
	if err != nil {
		return err
	}
	c.modules = mods
	return nil
}
