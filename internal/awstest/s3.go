package awstest

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// s3Namespace is the XML namespace of S3 answers.
const s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// S3 is an Amazon S3 test server speaking the REST-XML protocol as
// aws-sdk-go-v2/service/s3 sends it with path-style addressing
// (http://host/BUCKET/KEY). It serves ListObjectsV2 (prefix, max-keys,
// continuation tokens) and GetObject for objects added with Put. Fault
// injection and request counting (by operation) are promoted from the
// embedded injector. All methods are safe for concurrent use.
type S3 struct {
	server

	mu      sync.Mutex
	buckets map[string]map[string]s3Object
	maxKeys int
}

type s3Object struct {
	data     []byte
	modified time.Time
}

// NewS3 starts an S3 test server on 127.0.0.1; it is closed when the test
// ends.
func NewS3(tb testing.TB) *S3 {
	tb.Helper()
	s := &S3{buckets: map[string]map[string]s3Object{}, maxKeys: 1000}
	s.start(tb, s.serveHTTP)
	return s
}

// Client returns an S3 SDK client pointed at the server (path-style).
func (s *S3) Client(opts ...ClientOption) *s3.Client {
	return s3.NewFromConfig(AWSConfig(opts...), func(o *s3.Options) {
		o.BaseEndpoint = aws.String(s.URL)
		o.UsePathStyle = true
	})
}

// Put stores an object, creating the bucket if needed.
func (s *S3) Put(bucket, key string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buckets[bucket] == nil {
		s.buckets[bucket] = map[string]s3Object{}
	}
	s.buckets[bucket][key] = s3Object{data: slices.Clone(data), modified: time.Now().UTC()}
}

// SetMaxKeys caps the keys of one ListObjectsV2 page (default 1000, the
// service's), to exercise pagination.
func (s *S3) SetMaxKeys(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxKeys = n
}

func (s *S3) serveHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.EscapedPath(), "/")
	bucketPart, keyPart, hasKey := strings.Cut(path, "/")
	bucket, _ := url.PathUnescape(bucketPart)
	key, _ := url.PathUnescape(keyPart)
	op := "GetObject"
	if !hasKey || key == "" {
		op = "ListObjects"
		if r.URL.Query().Get("list-type") == "2" {
			op = "ListObjectsV2"
		}
	}
	if r.Method != http.MethodGet {
		op = r.Method + " (not served)"
	}
	ft, release := s.admit(op)
	if apiErr := applyFault(r, ft, release, s3Throttle, s3Internal); apiErr != nil {
		writeS3Error(w, apiErr)
		return
	}
	switch op {
	case "ListObjectsV2":
		s.listObjectsV2(w, bucket, r.URL.Query())
	case "GetObject":
		s.getObject(w, bucket, key)
	default:
		writeS3Error(w, &APIError{Status: http.StatusNotImplemented, Shape: "NotImplemented", Message: op + " is not served by awstest"})
	}
}

func (s *S3) listObjectsV2(w http.ResponseWriter, bucket string, q url.Values) {
	s.mu.Lock()
	objs, ok := s.buckets[bucket]
	var keys []string
	for k := range objs {
		if strings.HasPrefix(k, q.Get("prefix")) {
			keys = append(keys, k)
		}
	}
	maxKeys := s.maxKeys
	s.mu.Unlock()
	if !ok {
		writeS3Error(w, &APIError{Status: http.StatusNotFound, Shape: "NoSuchBucket", Message: "The specified bucket does not exist"})
		return
	}
	if mk, err := strconv.Atoi(q.Get("max-keys")); err == nil && mk > 0 && mk < maxKeys {
		maxKeys = mk
	}
	slices.Sort(keys)
	start := 0
	if tok := q.Get("continuation-token"); tok != "" {
		start, _ = strconv.Atoi(tok)
	} else if after := q.Get("start-after"); after != "" {
		start, _ = slices.BinarySearch(keys, after+"\x00")
	}
	end := min(start+maxKeys, len(keys))
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="%s"><Name>%s</Name><Prefix>%s</Prefix><KeyCount>%d</KeyCount><MaxKeys>%d</MaxKeys>`,
		s3Namespace, xmlText(bucket), xmlText(q.Get("prefix")), end-start, maxKeys)
	if end < len(keys) {
		fmt.Fprintf(&b, "<IsTruncated>true</IsTruncated><NextContinuationToken>%d</NextContinuationToken>", end)
	} else {
		b.WriteString("<IsTruncated>false</IsTruncated>")
	}
	s.mu.Lock()
	for _, k := range keys[start:end] {
		o := objs[k]
		fmt.Fprintf(&b, `<Contents><Key>%s</Key><LastModified>%s</LastModified><ETag>"%x"</ETag><Size>%d</Size><StorageClass>STANDARD</StorageClass></Contents>`,
			xmlText(k), o.modified.Format(time.RFC3339), len(o.data), len(o.data))
	}
	s.mu.Unlock()
	b.WriteString("</ListBucketResult>")
	w.Header().Set("Content-Type", "application/xml")
	_, _ = w.Write([]byte(b.String()))
}

func (s *S3) getObject(w http.ResponseWriter, bucket, key string) {
	s.mu.Lock()
	o, ok := s.buckets[bucket][key]
	s.mu.Unlock()
	if !ok {
		writeS3Error(w, &APIError{Status: http.StatusNotFound, Shape: "NoSuchKey", Message: "The specified key does not exist."})
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(o.data)))
	w.Header().Set("Last-Modified", o.modified.Format(http.TimeFormat))
	w.Header().Set("ETag", fmt.Sprintf(`"%x"`, len(o.data)))
	_, _ = w.Write(o.data)
}

// writeS3Error answers in S3's REST-XML error shape.
func writeS3Error(w http.ResponseWriter, e *APIError) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(e.Status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>awstest</RequestId></Error>`,
		e.Shape, xmlText(e.Message))
}

func s3Throttle(int) *APIError {
	return &APIError{Status: http.StatusServiceUnavailable, Shape: "SlowDown", Message: "Please reduce your request rate."}
}

func s3Internal(status int) *APIError {
	return &APIError{Status: status, Shape: "InternalError", Message: "injected server error"}
}
