package logs

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// S3API is the part of the S3 client the report reads with (*s3.Client
// implements it).
type S3API interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

var _ S3API = (*s3.Client)(nil)

// WithS3Client reads s3:// sources with api instead of a client built from
// Region/Endpoint and the default credential chain.
func WithS3Client(api S3API) ReportOption {
	return func(o *reportOptions) { o.s3 = api }
}

// newS3Client builds a client from the SDK's default credential chain; an
// endpoint override (tests, LocalStack, MinIO) uses path-style addressing.
func newS3Client(ctx context.Context, region, endpoint string) (*s3.Client, error) {
	cfg, err := awsConfig(ctx, region)
	if err != nil {
		return nil, err
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
			o.UsePathStyle = true
		}
	}), nil
}

// parseS3Source splits s3://BUCKET/PREFIX.
func parseS3Source(src string) (bucket, prefix string, err error) {
	u, err := url.Parse(src)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return "", "", fmt.Errorf("%w: %q is not s3://BUCKET/PREFIX", ErrInvalidConfig, src)
	}
	return u.Host, strings.TrimPrefix(u.Path, "/"), nil
}

var (
	// albKeyTime is the end of the 5-minute interval in an ALB access log
	// object name: ..._app.NAME.ID_20261125T1005Z_10.0.1.23_abc123.log.gz
	albKeyTime = regexp.MustCompile(`_(\d{8}T\d{4}Z)_`)
	// cloudFrontKeyTime is the hour in a CloudFront standard log object
	// name: DISTRIBUTION.2026-11-25-10.UNIQUE.gz
	cloudFrontKeyTime = regexp.MustCompile(`\.(\d{4}-\d{2}-\d{2}-\d{2})\.[^/]*$`)
)

// keyInterval returns the time span an ALB or CloudFront log object covers,
// from its key; ok is false for other keys.
func keyInterval(key string) (from, to time.Time, ok bool) {
	name := key[strings.LastIndexByte(key, '/')+1:]
	if m := albKeyTime.FindStringSubmatch(name); m != nil {
		if t, err := time.Parse("20060102T1504Z", m[1]); err == nil {
			return t.Add(-5 * time.Minute), t, true
		}
	}
	if m := cloudFrontKeyTime.FindStringSubmatch(name); m != nil {
		if t, err := time.Parse("2006-01-02-15", m[1]); err == nil {
			return t, t.Add(time.Hour), true
		}
	}
	return time.Time{}, time.Time{}, false
}

// s3Stats is what readS3 read.
type s3Stats struct {
	objects, skipped int
	bytes            int64
	long             uint64
}

// readS3 lists the objects under s3://bucket/prefix and reads each one
// whose key time (ALB and CloudFront layouts) is not entirely before
// start (zero: all), gzip or not, calling object before each and fn for
// every line. It writes a progress line to progress after each object.
func readS3(ctx context.Context, api S3API, src string, start time.Time, maxLine int, progress io.Writer, object func(key string), fn func([]byte)) (s3Stats, error) {
	var st s3Stats
	bucket, prefix, err := parseS3Source(src)
	if err != nil {
		return st, err
	}
	p := s3.NewListObjectsV2Paginator(api, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	defer fmt.Fprintln(progress)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return st, fmt.Errorf("%s: ListObjectsV2: %w", src, err)
		}
		for _, obj := range page.Contents {
			key := aws.ToString(obj.Key)
			if strings.HasSuffix(key, "/") {
				continue // a folder placeholder
			}
			if _, to, ok := keyInterval(key); ok && !start.IsZero() && to.Before(start) {
				st.skipped++
				continue
			}
			if err := readS3Object(ctx, api, bucket, key, maxLine, &st, object, fn); err != nil {
				return st, fmt.Errorf("%s: %w", src, err)
			}
			fmt.Fprintf(progress, "\r%s: %d objects read, %d skipped by time, %.1f MiB", src, st.objects, st.skipped, float64(st.bytes)/(1<<20))
		}
	}
	return st, nil
}

func readS3Object(ctx context.Context, api S3API, bucket, key string, maxLine int, st *s3Stats, object func(string), fn func([]byte)) error {
	out, err := api.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("GetObject %s: %w", key, err)
	}
	defer out.Body.Close()
	object(key)
	cr := &countingReader{r: out.Body}
	long, err := readReportLines(ctx, cr, maxLine, fn)
	st.objects++
	st.bytes += cr.n
	st.long += long
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	return nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
