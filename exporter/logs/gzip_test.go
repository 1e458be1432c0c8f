package logs

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestGzippedLogsReadTheSame: an ALB log as S3 delivers it (.log.gz), a
// gzip file without the suffix, two concatenated gzip members and the same
// log on stdin all give the report of the plain file.
func TestGzippedLogsReadTheSame(t *testing.T) {
	plain, err := os.ReadFile(corpus("alb"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	half := bytes.LastIndexByte(plain[:len(plain)/2], '\n') + 1
	files := map[string][]byte{
		"123456789012_elasticloadbalancing_eu-west-1_app.voicebot-alb.log.gz": gzipped(t, plain),
		"renamed.log":     gzipped(t, plain),
		"two-members.gz":  append(gzipped(t, plain[:half]), gzipped(t, plain[half:])...),
		"plain-again.log": plain,
	}
	want, err := BuildReport(context.Background(), ReportConfig{Sources: []string{corpus("alb")}})
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := BuildReport(context.Background(), ReportConfig{Sources: []string{path}})
			if err != nil {
				t.Fatal(err)
			}
			got.Sources = want.Sources
			if !reflect.DeepEqual(got, want) {
				t.Errorf("report of %s differs from the plain file's: %d lines (%d unparsable), want %d (%d)", name, got.Lines, got.Unparsable, want.Lines, want.Unparsable)
			}
		})
	}
	got, err := BuildReport(context.Background(), ReportConfig{Sources: []string{"-"}}, WithReportStdin(bytes.NewReader(gzipped(t, plain))))
	if err != nil {
		t.Fatal(err)
	}
	if got.Lines != want.Lines || got.Unparsable != want.Unparsable {
		t.Errorf("gzip on stdin: %d lines, %d unparsable; want %d, %d", got.Lines, got.Unparsable, want.Lines, want.Unparsable)
	}
}
