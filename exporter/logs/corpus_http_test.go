package logs

import (
	"fmt"
	"testing"

	"github.com/voicewatch/voicewatch/internal/httpguard"
	"github.com/voicewatch/voicewatch/internal/httpguard/httpguardtest"
)

// TestHTTPCorpusThroughLogs writes every request of the guard's labelled
// corpus (internal/httpguard/testdata/requests.tsv) as an ALB access log
// line and as a combined access log line, classifies them with the
// application's routes, and requires the corpus's label: the log
// classifier must agree with the guard, User-Agent included.
func TestHTTPCorpusThroughLogs(t *testing.T) {
	c := httpguardtest.Load(t)
	routes, err := httpguard.ParseRoutes(c.Routes)
	if err != nil {
		t.Fatal(err)
	}
	formats := []struct {
		name string
		line func(r httpguardtest.Request) string
	}{
		{"alb", func(r httpguardtest.Request) string {
			return fmt.Sprintf(`https 2026-11-25T10:00:01.681485Z app/voicebot-alb/50dc6c495c0c9188 198.51.100.23:40385 10.0.4.28:8080 0.001 0.142 0.000 404 404 223 4357 "%s https://voice.example.com:443%s HTTP/1.1" "%s" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2`,
				r.Method, r.Target, quoteUA(r.UserAgent))
		}},
		{"clf", func(r httpguardtest.Request) string {
			return fmt.Sprintf(`10.0.1.23 - - [25/Nov/2026:10:00:53 +0000] "%s %s HTTP/1.1" 404 150 "-" "%s" "198.51.100.23"`,
				r.Method, r.Target, quoteUA(r.UserAgent))
		}},
	}
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			p, err := ParseFormat("auto")
			if err != nil {
				t.Fatal(err)
			}
			cls := NewClassifier(p, nil, routes)
			var e Entry
			families, total := httpguardtest.Evaluate(c, func(r httpguardtest.Request) string {
				line := f.line(r)
				switch cls.Classify([]byte(line), &e) {
				case ClassUnparsable:
					t.Fatalf("unparsable: %s", line)
				case ClassScanner:
					if r.Want != httpguardtest.Legitimate && e.Pattern != r.Want {
						t.Errorf("%s: pattern %q, want %q: %s", r.Family, e.Pattern, r.Want, line)
					}
					return e.Pattern
				}
				return ""
			})
			if total.FalsePositives != 0 || total.Recall() < 0.99 {
				for _, s := range families {
					if s.FalsePositives > 0 || s.Recall() < 1 {
						t.Logf("%s: recall %.2f, false positives %d", s.Family, s.Recall(), s.FalsePositives)
					}
				}
				t.Errorf("recall %.3f (want >= 0.99), %d false positives (want 0)", total.Recall(), total.FalsePositives)
			}
		})
	}
}

// quoteUA writes a User-Agent as access logs quote it.
func quoteUA(ua string) string {
	if ua == "" {
		return "-"
	}
	out := make([]byte, 0, len(ua))
	for i := 0; i < len(ua); i++ {
		if ua[i] == '"' || ua[i] == '\\' {
			out = append(out, '\\')
		}
		out = append(out, ua[i])
	}
	return string(out)
}
