package awstest

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestS3ListAndGet drives the server with the real SDK: pagination over
// several pages, prefixes, object bodies, missing keys and throttling.
func TestS3ListAndGet(t *testing.T) {
	srv := NewS3(t)
	for i := range 7 {
		srv.Put("logs", fmt.Sprintf("alb/AWSLogs/k%02d.log.gz", i), []byte(fmt.Sprintf("body %d", i)))
	}
	srv.Put("logs", "other/x", []byte("x"))
	srv.SetMaxKeys(3)
	c := srv.Client()
	outs := allPages(t, s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String("logs"), Prefix: aws.String("alb/")}))
	var keys []string
	for _, out := range outs {
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	pages := len(outs)
	if len(keys) != 7 || pages != 3 {
		t.Fatalf("listed %d keys in %d pages, want 7 in 3", len(keys), pages)
	}
	srv.ThrottleNext(1)
	out, err := c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("logs"), Key: aws.String(keys[6])})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(b) != "body 6" {
		t.Errorf("body %q", b)
	}
	if srv.Requests("GetObject") != 2 {
		t.Errorf("%d GetObject requests, want 2 (one throttled, retried)", srv.Requests("GetObject"))
	}
	_, err = c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("logs"), Key: aws.String("nope")})
	var nsk *types.NoSuchKey
	if !errors.As(err, &nsk) {
		t.Errorf("missing key: %v, want NoSuchKey", err)
	}
	_, err = c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("nope")})
	var nsb *types.NoSuchBucket
	if !errors.As(err, &nsb) {
		t.Errorf("missing bucket: %v, want NoSuchBucket", err)
	}
}
