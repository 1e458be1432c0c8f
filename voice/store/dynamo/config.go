package dynamo

import (
	"cmp"
	"fmt"
	"net/url"
	"time"
)

// Default values of Config fields.
const (
	DefaultKeyAttribute   = "id"
	DefaultTTLAttribute   = "expires_at"
	DefaultTTL            = 30 * 24 * time.Hour
	DefaultMaxAttempts    = 5
	DefaultMaxBackoff     = time.Second
	DefaultAttemptTimeout = 2 * time.Second
)

// Config configures the store (providers.store.dynamodb in voice.yaml).
// Zero fields take the default documented on each field. Credentials are not
// configured here: they come from the AWS SDK default chain only.
type Config struct {
	// Table is the DynamoDB table name. Required. Its partition key is a
	// string attribute named KeyAttribute; enable TTL on TTLAttribute.
	Table string `yaml:"table"`
	// Region is the table's AWS region. Default: the SDK's configured
	// region (AWS_REGION, shared config).
	Region string `yaml:"region"`
	// Endpoint overrides the service URL (DynamoDB Local, a VPC endpoint,
	// the test server). Default: the SDK's regional endpoint.
	Endpoint string `yaml:"endpoint"`
	// KeyAttribute is the partition key attribute (session ID). Default id.
	KeyAttribute string `yaml:"key_attribute"`
	// TTLAttribute holds the expiry time in epoch seconds. Default expires_at.
	TTLAttribute string `yaml:"ttl_attribute"`
	// TTL is how long a record is kept after its last write. Default 720h
	// (30 days).
	TTL time.Duration `yaml:"ttl"`
	// MaxAttempts bounds the attempts of one call, retries on throttling,
	// 5xx and timeouts included. Default 5.
	MaxAttempts int `yaml:"max_attempts"`
	// MaxBackoff caps the exponential backoff between attempts. Default 1s.
	MaxBackoff time.Duration `yaml:"max_backoff"`
	// AttemptTimeout bounds one HTTP attempt (a hung connection is retried
	// as a timeout). Default 2s.
	AttemptTimeout time.Duration `yaml:"attempt_timeout"`
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	c.KeyAttribute = cmp.Or(c.KeyAttribute, DefaultKeyAttribute)
	c.TTLAttribute = cmp.Or(c.TTLAttribute, DefaultTTLAttribute)
	c.TTL = cmp.Or(c.TTL, DefaultTTL)
	c.MaxAttempts = cmp.Or(c.MaxAttempts, DefaultMaxAttempts)
	c.MaxBackoff = cmp.Or(c.MaxBackoff, DefaultMaxBackoff)
	c.AttemptTimeout = cmp.Or(c.AttemptTimeout, DefaultAttemptTimeout)
	return c
}

// Validate reports the first invalid field with what to change. Zero
// fields are valid (they take defaults); New validates after WithDefaults.
func (c Config) Validate() error {
	if c.Table == "" {
		return fmt.Errorf("%w: table is empty: set the DynamoDB table name", ErrInvalidConfig)
	}
	if c.Endpoint != "" {
		u, err := url.Parse(c.Endpoint)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("%w: endpoint %q: use an absolute http:// or https:// URL", ErrInvalidConfig, c.Endpoint)
		}
	}
	if c.KeyAttribute != "" && c.KeyAttribute == c.TTLAttribute {
		return fmt.Errorf("%w: key_attribute and ttl_attribute are both %q", ErrInvalidConfig, c.KeyAttribute)
	}
	if c.TTL < 0 || c.MaxBackoff < 0 || c.AttemptTimeout < 0 {
		return fmt.Errorf("%w: ttl, max_backoff and attempt_timeout must not be negative", ErrInvalidConfig)
	}
	if c.TTL != 0 && c.TTL < time.Hour {
		return fmt.Errorf("%w: ttl %s: use at least 1h (DynamoDB deletes expired items within days, not seconds)", ErrInvalidConfig, c.TTL)
	}
	if c.MaxAttempts < 0 || c.MaxAttempts > 20 {
		return fmt.Errorf("%w: max_attempts %d: use 1 to 20", ErrInvalidConfig, c.MaxAttempts)
	}
	return nil
}
