package cloudwatch

import (
	"cmp"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/voicewatch/voicewatch/exporter/cloudwatch/catalog"
	"github.com/voicewatch/voicewatch/internal/slo"
)

// Modes of the exporter.
const (
	// ModeAPI publishes with PutMetricData.
	ModeAPI = "api"
	// ModeEMF writes Embedded Metric Format JSON lines; no API calls.
	ModeEMF = "emf"
)

// API limits (PutMetricData documentation).
const (
	apiMaxDatums       = 1000
	apiMaxRequestBytes = 1_000_000 // 1 MB, with headroom for the envelope
	apiMaxValues       = 150
	apiMaxDimensions   = 30
	emfMaxValues       = 100
)

// Config configures the CloudWatch exporter (the sidecar's cloudwatch
// block; the sidecar's loader decodes it). The zero value of a field means
// its documented default (WithDefaults).
type Config struct {
	// Mode is "api" (PutMetricData) or "emf" (Embedded Metric Format lines).
	// Default "api".
	Mode string `yaml:"mode"`
	// Namespace of every metric. Default "VoiceWatch". Must not start with
	// "AWS/".
	Namespace string `yaml:"namespace"`
	// Region of the CloudWatch endpoint. Default: the SDK default chain
	// (AWS_REGION, shared config).
	Region string `yaml:"region"`
	// Endpoint overrides the CloudWatch endpoint URL (tests, LocalStack).
	// Default: the SDK's endpoint for the region.
	Endpoint string `yaml:"endpoint"`
	// EMFPath is where mode "emf" appends its lines; "" or "-" is stdout.
	// Default stdout.
	EMFPath string `yaml:"emf_path"`
	// Include lists metric-name globs (path.Match syntax: *, ?, [a-z]) of
	// metrics published in addition to the catalogue (package catalog).
	// Every published dimension set is a paid custom metric, so the Go
	// runtime and process metrics (go_*, process_*) and anything else
	// outside the catalogue are published only when included. Default none.
	Include []string `yaml:"include"`
	// Exclude lists metric-name globs never published, catalogue metrics
	// included; it wins over Include. Default none.
	Exclude []string `yaml:"exclude"`
	// Aggregations says how the series of a gauge outside the catalogue
	// that collapse onto one dimension set combine: sum, max, min or
	// average (a catalogue gauge has its own; this overrides it). A known
	// gauge that is included without one is an error; an unknown one whose
	// series collapse is dropped and counted (reason no_aggregation), never
	// summed by default. Default none.
	Aggregations map[string]catalog.Aggregation `yaml:"aggregations"`
	// Dimensions selects which labels become dimensions. Default: the
	// catalogue's dimension sets for catalogue metrics, Dimensions.Default
	// for included ones.
	Dimensions Dimensions `yaml:"dimensions"`
	// StaticDimensions are added to every datum. The catalogue's contract
	// needs exactly Service and Environment: the alarms and the dashboard
	// select metrics by both (the sidecar refuses a configuration without
	// them). Default none.
	StaticDimensions map[string]string `yaml:"static_dimensions"`
	// StorageResolution is 60 (standard) or 1 (high resolution). Default 60.
	StorageResolution int `yaml:"storage_resolution"`
	// BufferDatums bounds the datums held while CloudWatch is unreachable.
	// Default 100000.
	BufferDatums int `yaml:"buffer_datums"`
	// MaxDatumsPerRequest bounds one PutMetricData request (1..1000).
	// Default 1000.
	MaxDatumsPerRequest int `yaml:"max_datums_per_request"`
	// DisableCompression turns off the SDK's gzip request compression.
	// Default false (requests of 10 KiB and more are gzip-compressed).
	DisableCompression bool `yaml:"disable_compression"`
	// SeriesTTL is how long the state of a series that is no longer reported
	// is kept (for delta computation). Default 1h.
	SeriesTTL time.Duration `yaml:"series_ttl"`
	// Retry configures retries of throttled and failed requests.
	Retry RetryConfig `yaml:"retry"`
}

// Dimensions is the label allow-list.
type Dimensions struct {
	// Default lists the labels kept as dimensions for included metrics
	// that are neither in the catalogue nor in Metrics. Default none.
	Default []string `yaml:"default"`
	// Metrics maps a metric name to its dimension sets, overriding the
	// catalogue's (alarms and the dashboard read the catalogue's, so only
	// override a catalogue metric knowingly). One list of labels is one
	// set ([outcome]); a list of lists is several ([[probe, kind], []]),
	// each its own CloudWatch metric; an empty list keeps no label.
	// Default none.
	Metrics map[string]DimensionSets `yaml:"metrics"`
}

// DimensionSets are the dimension sets of one metric (static dimensions
// not included).
type DimensionSets [][]string

// UnmarshalYAML accepts one set ([a, b]) or several ([[a, b], [a], []]).
func (d *DimensionSets) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind != yaml.SequenceNode {
		return fmt.Errorf("line %d: dimensions must be a list of labels or a list of lists of labels", node.Line)
	}
	if len(node.Content) > 0 && node.Content[0].Kind == yaml.SequenceNode {
		var sets [][]string
		if err := node.Decode(&sets); err != nil {
			return err
		}
		*d = sets
		return nil
	}
	var one []string
	if err := node.Decode(&one); err != nil {
		return err
	}
	*d = DimensionSets{one}
	if one == nil {
		(*d)[0] = []string{}
	}
	return nil
}

// RetryConfig configures the exponential backoff of failed requests.
type RetryConfig struct {
	// MaxAttempts per request within one Export or flush, first try
	// included. Default 5.
	MaxAttempts int `yaml:"max_attempts"`
	// InitialBackoff is the wait before the first retry. Default 200ms.
	InitialBackoff time.Duration `yaml:"initial_backoff"`
	// MaxBackoff caps the wait between retries. Default 5s.
	MaxBackoff time.Duration `yaml:"max_backoff"`
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	c.Mode = cmp.Or(c.Mode, ModeAPI)
	c.Namespace = cmp.Or(c.Namespace, slo.DefaultNamespace)
	c.StorageResolution = cmp.Or(c.StorageResolution, 60)
	c.BufferDatums = cmp.Or(c.BufferDatums, 100000)
	c.MaxDatumsPerRequest = cmp.Or(c.MaxDatumsPerRequest, apiMaxDatums)
	c.SeriesTTL = cmp.Or(c.SeriesTTL, time.Hour)
	c.Retry.MaxAttempts = cmp.Or(c.Retry.MaxAttempts, 5)
	c.Retry.InitialBackoff = cmp.Or(c.Retry.InitialBackoff, 200*time.Millisecond)
	c.Retry.MaxBackoff = cmp.Or(c.Retry.MaxBackoff, 5*time.Second)
	return c
}

// Validate reports the first invalid setting with what to change. It
// expects defaults to be applied (WithDefaults); zero values are reported
// as invalid.
func (c Config) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, a...))
	}
	switch c.Mode {
	case ModeAPI, ModeEMF:
	default:
		return bad("mode %q: use %q (PutMetricData) or %q (Embedded Metric Format lines)", c.Mode, ModeAPI, ModeEMF)
	}
	if c.Namespace == "" || len(c.Namespace) > 255 {
		return bad("namespace %q: must be 1 to 255 characters", c.Namespace)
	}
	if strings.HasPrefix(c.Namespace, "AWS/") {
		return bad("namespace %q: names starting with \"AWS/\" are reserved for AWS services; use e.g. \"VoiceWatch\"", c.Namespace)
	}
	if c.Endpoint != "" && !strings.HasPrefix(c.Endpoint, "http://") && !strings.HasPrefix(c.Endpoint, "https://") {
		return bad("endpoint %q: must be an http:// or https:// URL", c.Endpoint)
	}
	if c.StorageResolution != 1 && c.StorageResolution != 60 {
		return bad("storage_resolution %d: use 60 (standard) or 1 (high resolution)", c.StorageResolution)
	}
	if c.BufferDatums < 1 {
		return bad("buffer_datums %d: must be at least 1 (default 100000)", c.BufferDatums)
	}
	if c.MaxDatumsPerRequest < 1 || c.MaxDatumsPerRequest > apiMaxDatums {
		return bad("max_datums_per_request %d: must be between 1 and %d", c.MaxDatumsPerRequest, apiMaxDatums)
	}
	if c.SeriesTTL < 0 {
		return bad("series_ttl %s: must be positive", c.SeriesTTL)
	}
	if c.Retry.MaxAttempts < 1 {
		return bad("retry.max_attempts %d: must be at least 1", c.Retry.MaxAttempts)
	}
	if c.Retry.InitialBackoff <= 0 || c.Retry.MaxBackoff < c.Retry.InitialBackoff {
		return bad("retry: initial_backoff %s and max_backoff %s must be positive with max_backoff >= initial_backoff", c.Retry.InitialBackoff, c.Retry.MaxBackoff)
	}
	for _, name := range sortedKeys(c.StaticDimensions) {
		if name == "" || c.StaticDimensions[name] == "" {
			return bad("static_dimensions: %q=%q: names and values must not be empty", name, c.StaticDimensions[name])
		}
		if slices.Contains(c.Dimensions.Default, name) {
			return bad("static dimension %q is also in dimensions.default; remove one of them", name)
		}
	}
	lists := map[string][]string{"dimensions.default": c.Dimensions.Default}
	for m, sets := range c.Dimensions.Metrics {
		if len(sets) == 0 {
			return bad("dimensions.metrics.%s: no dimension set; use [] to keep no label", m)
		}
		for i, l := range sets {
			lists[fmt.Sprintf("dimensions.metrics.%s[%d]", m, i)] = l
		}
	}
	for _, where := range sortedKeys(lists) {
		l := lists[where]
		if n := len(l) + len(c.StaticDimensions); n > apiMaxDimensions {
			return bad("%s: %d labels plus %d static dimensions exceed CloudWatch's %d dimensions per metric", where, len(l), len(c.StaticDimensions), apiMaxDimensions)
		}
		for i, label := range l {
			if label == "" || slices.Contains(l[:i], label) {
				return bad("%s: label %q is empty or listed twice", where, label)
			}
			if _, ok := c.StaticDimensions[label]; ok {
				return bad("%s: label %q is also a static dimension; remove one of them", where, label)
			}
		}
	}
	return c.validateSelection()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Option configures New beyond Config.
type Option func(*options)

type options struct {
	logger *slog.Logger
	client PutMetricDataAPI
	writer io.Writer
	now    func() time.Time
}

// WithLogger sets the logger (default: discard). The exporter adds
// component=cloudwatch.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithClient sets the PutMetricData client (default: an SDK client from the
// default credential chain, Config.Region and Config.Endpoint, with SDK
// retries disabled). The exporter retries itself and counts retries, so
// give it a client whose own retries are off (MaxAttempts 1).
func WithClient(c PutMetricDataAPI) Option { return func(o *options) { o.client = c } }

// WithWriter sets where mode "emf" writes (overrides Config.EMFPath).
func WithWriter(w io.Writer) Option { return func(o *options) { o.writer = w } }

// withNow injects the clock used for series expiry (tests).
func withNow(now func() time.Time) Option { return func(o *options) { o.now = now } }
