package dynamo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	smithy "github.com/aws/smithy-go"

	"github.com/voicewatch/voicewatch/internal/funcopt"
	"github.com/voicewatch/voicewatch/voice/store"
)

// API is the part of the DynamoDB client the store uses.
type API interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// Store saves session records in a DynamoDB table.
type Store struct {
	cfg Config
	api API
	log *slog.Logger
	now func() time.Time
}

var _ store.Store = (*Store)(nil)

// Option configures New.
type Option func(*options)

type options struct {
	log   *slog.Logger
	creds aws.CredentialsProvider
	now   func() time.Time
}

// WithLogger sets the logger (default: discard). Credentials are never logged.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithCredentials replaces the SDK default credential chain (tests).
func WithCredentials(p aws.CredentialsProvider) Option { return func(o *options) { o.creds = p } }

// WithNow injects the clock of the TTL attribute.
func WithNow(now func() time.Time) Option { return func(o *options) { o.now = now } }

// New applies cfg's defaults, validates it and builds the DynamoDB client
// from the SDK default configuration (region, credentials chain), with the
// retry policy of cfg.
func New(ctx context.Context, cfg Config, opts ...Option) (*Store, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := funcopt.Apply(options{now: time.Now}, opts)
	o.log = funcopt.Logger(o.log)
	load := []func(*awsconfig.LoadOptions) error{}
	if cfg.Region != "" {
		load = append(load, awsconfig.WithRegion(cfg.Region))
	}
	if o.creds != nil {
		load = append(load, awsconfig.WithCredentialsProvider(o.creds))
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, fmt.Errorf("dynamo: load AWS configuration: %w", err)
	}
	if awsCfg.Region == "" {
		return nil, fmt.Errorf("%w: no region: set region or AWS_REGION", ErrInvalidConfig)
	}
	client := dynamodb.NewFromConfig(awsCfg, func(do *dynamodb.Options) {
		if cfg.Endpoint != "" {
			do.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		do.HTTPClient = awshttp.NewBuildableClient().WithTimeout(cfg.AttemptTimeout)
		do.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = cfg.MaxAttempts
			so.MaxBackoff = cfg.MaxBackoff
			so.Backoff = retry.NewExponentialJitterBackoff(cfg.MaxBackoff)
			// The session saver writes a handful of records per call; the
			// client-side retry quota would turn throttling into
			// "retry quota exceeded" instead of backing off.
			so.RateLimiter = ratelimit.None
		})
	})
	return NewWithAPI(cfg, client, opts...), nil
}

// NewWithAPI returns a store over an existing client (cfg must be valid;
// its zero fields take their defaults).
func NewWithAPI(cfg Config, api API, opts ...Option) *Store {
	cfg = cfg.WithDefaults()
	o := funcopt.Apply(options{now: time.Now}, opts)
	o.log = funcopt.Logger(o.log)
	return &Store{cfg: cfg, api: api, log: o.log.With("component", "store", "backend", "dynamodb"), now: o.now}
}

// Put implements store.Store: the write succeeds only if the stored version
// is r.Version-1 (absent for version 1).
func (st *Store) Put(ctx context.Context, r store.Record) error {
	if r.ID == "" || r.Version < 1 {
		return fmt.Errorf("dynamo: record needs an id and a version ≥ 1 (got %q, %d)", r.ID, r.Version)
	}
	in := &dynamodb.PutItemInput{
		TableName: aws.String(st.cfg.Table),
		Item:      st.toItem(r, st.now().Add(st.cfg.TTL)),
	}
	if r.Version == 1 {
		in.ConditionExpression = aws.String("attribute_not_exists(#k)")
		in.ExpressionAttributeNames = map[string]string{"#k": st.cfg.KeyAttribute}
	} else {
		in.ConditionExpression = aws.String("#v = :prev")
		in.ExpressionAttributeNames = map[string]string{"#v": attrVersion}
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":prev": n(strconv.Itoa(r.Version - 1))}
	}
	_, err := st.api.PutItem(ctx, in)
	if err != nil {
		return st.mapError("put", r.ID, err)
	}
	return nil
}

// Get implements store.Store with a strongly consistent read.
func (st *Store) Get(ctx context.Context, id string) (store.Record, error) {
	out, err := st.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(st.cfg.Table),
		Key:            map[string]types.AttributeValue{st.cfg.KeyAttribute: s(id)},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return store.Record{}, st.mapError("get", id, err)
	}
	if len(out.Item) == 0 {
		return store.Record{}, fmt.Errorf("%w: %s", store.ErrNotFound, id)
	}
	return st.fromItem(out.Item)
}

// mapError turns the service's errors into the store's sentinels, keeping
// the SDK error in the chain.
func (st *Store) mapError(op, id string, err error) error {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return fmt.Errorf("%w: %s %s: %w", store.ErrConflict, op, id, err)
	}
	if isThrottle(err) {
		return fmt.Errorf("%w: %s %s: %w", store.ErrThrottled, op, id, err)
	}
	return fmt.Errorf("dynamo: %s %s: %w", op, id, err)
}

func isThrottle(err error) bool {
	var pte *types.ProvisionedThroughputExceededException
	var rle *types.RequestLimitExceeded
	if errors.As(err, &pte) || errors.As(err, &rle) {
		return true
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "ThrottlingException", "Throttling", "TooManyRequestsException":
			return true
		}
	}
	return false
}
