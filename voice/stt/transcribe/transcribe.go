package transcribe

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/voicewatch/voicewatch/internal/funcopt"
	"github.com/voicewatch/voicewatch/voice"
)

// Protocol constants of StartStreamTranscription.
const (
	signingName       = "transcribe"
	streamingPayload  = "STREAMING-AWS4-HMAC-SHA256-EVENTS"
	operationPath     = "/stream-transcription"
	operationTarget   = "com.amazonaws.transcribe.Transcribe.StartStreamTranscription"
	eventStreamType   = "application/vnd.amazon.eventstream"
	mediaEncodingPCM  = "pcm"
	mediaEncodingOpus = "ogg-opus"
)

// STT is the Transcribe streaming provider. It is safe for concurrent use;
// each session gets its own stream from Start.
type STT struct {
	cfg    Config
	log    *slog.Logger
	client *http.Client
	creds  aws.CredentialsProvider
	signer *v4.Signer
	now    func() time.Time
	url    string
}

var _ voice.STT = (*STT)(nil)

// Option configures New.
type Option func(*options)

type options struct {
	log    *slog.Logger
	client *http.Client
	creds  aws.CredentialsProvider
	now    func() time.Time
}

// WithLogger sets the logger (default: discard). Credentials are never logged.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithHTTPClient replaces the HTTP/2 client (default: TLS with ALPN h2 for
// https endpoints, HTTP/2 with prior knowledge for http endpoints).
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.client = c } }

// WithCredentials replaces the SDK default credential chain (tests).
func WithCredentials(p aws.CredentialsProvider) Option { return func(o *options) { o.creds = p } }

// WithNow injects the clock used for request and event signatures.
func WithNow(now func() time.Time) Option { return func(o *options) { o.now = now } }

// New validates cfg and prepares the provider. Unless WithCredentials is
// given, credentials and the default region come from the AWS SDK default
// chain (environment, shared config and credentials files, container and
// instance roles); they are resolved lazily, when a stream first connects.
func New(ctx context.Context, cfg Config, opts ...Option) (*STT, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := funcopt.Apply(options{now: time.Now}, opts)
	o.log = funcopt.Logger(o.log)
	if o.creds == nil {
		awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("transcribe: load AWS configuration: %w", err)
		}
		o.creds = awsCfg.Credentials
		if cfg.Region == "" {
			cfg.Region = awsCfg.Region
		}
	}
	cfg = cfg.WithDefaults() // after the SDK's region, which wins over DefaultRegion
	u, err := url.Parse(strings.TrimSuffix(cfg.Endpoint, "/") + operationPath)
	if err != nil {
		return nil, fmt.Errorf("%w: endpoint %q: %v", ErrInvalidConfig, cfg.Endpoint, err)
	}
	if o.client == nil {
		o.client = &http.Client{Transport: newTransport(u.Scheme)}
	}
	return &STT{
		cfg: cfg, log: o.log.With("component", "stt", "provider", ProviderName),
		client: o.client, creds: o.creds, signer: v4.NewSigner(), now: o.now, url: u.String(),
	}, nil
}

// newTransport speaks HTTP/2 only: over TLS (ALPN h2) for https, with prior
// knowledge (h2c) for http endpoints such as the test server.
func newTransport(scheme string) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	p := new(http.Protocols)
	if scheme == "http" {
		p.SetUnencryptedHTTP2(true)
	} else {
		p.SetHTTP2(true)
	}
	t.Protocols = p
	return t
}

// Name implements voice.STT.
func (*STT) Name() string { return ProviderName }

// Config returns the effective configuration (defaults applied).
func (s *STT) Config() Config { return s.cfg }

// Start implements voice.STT: it returns the session's stream. No request is
// made until the first chunk of speech.
func (s *STT) Start(ctx context.Context, f voice.AudioFormat) (voice.STTStream, error) {
	var enc encoding
	switch f.Codec {
	case voice.CodecPCMU:
		enc = encoding{name: mediaEncodingPCM, rate: s.cfg.SampleRate}
	case voice.CodecOpus:
		enc = encoding{name: mediaEncodingOpus, rate: 48000}
	default:
		return nil, fmt.Errorf("%w: %q", ErrCodec, f.Codec)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return newStream(ctx, s, enc), nil
}

// encoding is what a stream sends: the media encoding header and its rate.
type encoding struct {
	name string
	rate int
}
