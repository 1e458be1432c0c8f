package logs

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/internal/awstest"
)

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestReportFromS3 stores the ALB corpus in the S3 test server as ALB
// delivers it (5-minute .log.gz objects under AWSLogs/...), plus the
// CloudFront corpus, and reads them back through s3:// sources with the
// real SDK: the report equals the one of the plain files, the listing is
// paginated, a throttled request is retried, and --since skips objects by
// the time in their key.
func TestReportFromS3(t *testing.T) {
	srv := awstest.NewS3(t)
	srv.SetMaxKeys(2)
	alb, err := os.ReadFile(corpus("alb"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(alb), "\n")
	const prefix = "alb/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/11/25/"
	names := []string{"1005Z", "1010Z", "1015Z", "1200Z"}
	per := (len(lines) + len(names) - 1) / len(names)
	for i, end := range names {
		chunk := strings.Join(lines[min(i*per, len(lines)):min((i+1)*per, len(lines))], "")
		key := prefix + "123456789012_elasticloadbalancing_eu-west-1_app.voicebot-alb.50dc6c495c0c9188_20261125T" + end + "_10.0.1.23_abc" + end + ".log.gz"
		srv.Put("voicebot-logs", key, gzipped(t, []byte(chunk)))
	}
	cf, err := os.ReadFile(corpus("cloudfront"))
	if err != nil {
		t.Fatal(err)
	}
	srv.Put("voicebot-logs", "cf/E2QWRUHAPOMQZL.2026-11-25-10.a1b2c3d4.gz", gzipped(t, cf))

	want, err := BuildReport(context.Background(), ReportConfig{Sources: []string{corpus("alb"), corpus("cloudfront")}})
	if err != nil {
		t.Fatal(err)
	}
	srv.ThrottleNext(1)
	var progress bytes.Buffer
	got, err := BuildReport(context.Background(), ReportConfig{Sources: []string{"s3://voicebot-logs/alb/", "s3://voicebot-logs/cf/"}},
		WithS3Client(srv.Client()), WithReportProgress(&progress))
	if err != nil {
		t.Fatal(err)
	}
	if got.Lines != want.Lines || got.Unparsable != want.Unparsable || got.Scanner.Total != want.Scanner.Total ||
		got.Legitimate.Requests != want.Legitimate.Requests || got.HeaderLines != want.HeaderLines {
		t.Errorf("from S3: %d lines, %d unparsable, %d scanner, %d legitimate requests, %d headers; from files: %d, %d, %d, %d, %d",
			got.Lines, got.Unparsable, got.Scanner.Total, got.Legitimate.Requests, got.HeaderLines,
			want.Lines, want.Unparsable, want.Scanner.Total, want.Legitimate.Requests, want.HeaderLines)
	}
	if !strings.Contains(progress.String(), "s3://voicebot-logs/alb/: 4 objects read, 0 skipped by time") {
		t.Errorf("progress: %q", progress.String())
	}
	// --since 1h at 12:30: the objects ending 10:05-10:15 and the
	// CloudFront hour 10:00-11:00 are skipped without being read.
	progress.Reset()
	gets := srv.Requests("GetObject")
	now := time.Date(2026, 11, 25, 12, 30, 0, 0, time.UTC)
	_, err = BuildReport(context.Background(), ReportConfig{Sources: []string{"s3://voicebot-logs/alb/", "s3://voicebot-logs/cf/"}, Since: time.Hour},
		WithS3Client(srv.Client()), WithReportProgress(&progress), WithReportNow(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Requests("GetObject") - gets; n != 1 {
		t.Errorf("--since 1h read %d objects, want 1 (the one ending 12:00)", n)
	}
	if !strings.Contains(progress.String(), "1 objects read, 3 skipped by time") {
		t.Errorf("progress: %q", progress.String())
	}
	_, err = BuildReport(context.Background(), ReportConfig{Sources: []string{"s3://no-such-bucket/x"}}, WithS3Client(srv.Client()))
	if err == nil || !strings.Contains(err.Error(), "s3://no-such-bucket/x") || !strings.Contains(err.Error(), "NoSuchBucket") {
		t.Errorf("missing bucket: %v, want an error naming the source and NoSuchBucket", err)
	}
}

func TestKeyInterval(t *testing.T) {
	from, to, ok := keyInterval("p/AWSLogs/1/elasticloadbalancing/r/2026/11/25/1_elasticloadbalancing_r_app.a.b_20261125T1005Z_10.0.1.23_x.log.gz")
	if !ok || !to.Equal(time.Date(2026, 11, 25, 10, 5, 0, 0, time.UTC)) || to.Sub(from) != 5*time.Minute {
		t.Errorf("ALB key: %v %v %v", from, to, ok)
	}
	from, to, ok = keyInterval("cf/E2QWRUHAPOMQZL.2026-11-25-10.a1b2c3d4.gz")
	if !ok || !from.Equal(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)) || to.Sub(from) != time.Hour {
		t.Errorf("CloudFront key: %v %v %v", from, to, ok)
	}
	if _, _, ok = keyInterval("logs/app.log"); ok {
		t.Error("a plain key has no interval")
	}
}
