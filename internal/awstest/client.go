package awstest

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

// Fake credentials: the servers do not verify signatures. They are not
// secrets.
const (
	testAccessKeyID     = "AKIDAWSTESTFAKE"
	testSecretAccessKey = "awstest-fake-secret"
	testRegion          = "us-east-1"
)

// ClientOption configures an SDK client built by the servers' Client methods.
type ClientOption func(*clientConfig)

type clientConfig struct {
	maxAttempts int
	maxBackoff  time.Duration
}

// WithMaxAttempts sets the SDK retryer's attempt limit (1 disables retries;
// default 3, the SDK default).
func WithMaxAttempts(n int) ClientOption { return func(c *clientConfig) { c.maxAttempts = n } }

// WithMaxBackoff caps the SDK retryer's exponential backoff (default 1ms, so
// retries in tests are fast; the SDK default is 20s).
func WithMaxBackoff(d time.Duration) ClientOption { return func(c *clientConfig) { c.maxBackoff = d } }

// AWSConfig returns an aws.Config for the test servers: static fake
// credentials, region us-east-1, and a standard retryer with a short backoff
// and no client-side retry rate limit.
func AWSConfig(opts ...ClientOption) aws.Config {
	c := clientConfig{maxAttempts: 3, maxBackoff: time.Millisecond}
	for _, o := range opts {
		o(&c)
	}
	return aws.Config{
		Region:      testRegion,
		Credentials: credentials.NewStaticCredentialsProvider(testAccessKeyID, testSecretAccessKey, ""),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = c.maxAttempts
				o.Backoff = retry.NewExponentialJitterBackoff(c.maxBackoff)
				o.RateLimiter = ratelimit.None
			})
		},
	}
}

// Client returns a CloudWatch SDK client pointed at the server.
func (s *CloudWatch) Client(opts ...ClientOption) *cloudwatch.Client {
	return cloudwatch.NewFromConfig(AWSConfig(opts...), func(o *cloudwatch.Options) {
		o.BaseEndpoint = aws.String(s.URL)
	})
}

// Client returns a CloudWatch Logs SDK client pointed at the server.
func (s *Logs) Client(opts ...ClientOption) *cloudwatchlogs.Client {
	return cloudwatchlogs.NewFromConfig(AWSConfig(opts...), func(o *cloudwatchlogs.Options) {
		o.BaseEndpoint = aws.String(s.URL)
	})
}
