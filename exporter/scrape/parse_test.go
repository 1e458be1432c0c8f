package scrape

import (
	"errors"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		labels  map[string]string
		want    string // text exposition of the result
		samples int
		wantErr error
	}{
		{
			name:    "adds job label and sorts labels",
			body:    "# TYPE a_total counter\na_total{z=\"1\",b=\"2\"} 3\n",
			labels:  map[string]string{"job": "voice"},
			want:    "# TYPE a_total counter\na_total{b=\"2\",job=\"voice\",z=\"1\"} 3\n",
			samples: 1,
		},
		{
			name:    "clashing label kept as exported_",
			body:    "g{job=\"inner\"} 1\n",
			labels:  map[string]string{"job": "voice"},
			want:    "# TYPE g untyped\ng{exported_job=\"inner\",job=\"voice\"} 1\n",
			samples: 1,
		},
		{
			name:    "clash with an exported_ label: one more prefix, nothing dropped",
			body:    "g{exported_job=\"old\",job=\"inner\"} 1\n",
			labels:  map[string]string{"job": "voice", "exported_job": "x"},
			want:    "# TYPE g untyped\ng{exported_exported_exported_job=\"old\",exported_exported_job=\"inner\",exported_job=\"x\",job=\"voice\"} 1\n",
			samples: 1,
		},
		{
			name:    "duplicate series dropped",
			body:    "g 1\ng 2\n",
			want:    "# TYPE g untyped\ng 1\n",
			samples: 1,
		},
		{
			name:    "openmetrics EOF accepted",
			body:    "# TYPE g gauge\ng 1\n# EOF\n",
			want:    "# TYPE g gauge\ng 1\n",
			samples: 1,
		},
		{
			name:    "histogram samples counted",
			body:    "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 3\nh_count 2\n",
			want:    "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 3\nh_count 2\n",
			samples: 4,
		},
		{name: "garbage", body: "this is { not metrics\n", wantErr: ErrParse},
		{name: "type clash", body: "# TYPE g gauge\n# TYPE g counter\ng 1\n", wantErr: ErrParse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fams, n, err := Parse([]byte(tt.body), tt.labels)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, mf := range fams {
				if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
					t.Fatal(err)
				}
			}
			if b.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tt.want)
			}
			if n != tt.samples {
				t.Errorf("samples = %d, want %d", n, tt.samples)
			}
		})
	}
}

// FuzzParse checks that no input panics Parse and that what it accepts
// can be written back as text and parsed again to the same series count.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"a 1\n", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
		"g{job=\"x\",exported_job=\"y\"} 1\n# EOF\n", "# HELP x y\n# TYPE x summary\nx{quantile=\"0.5\"} 1\nx_sum 1\nx_count 1\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fams, _, err := Parse(body, map[string]string{"job": "fuzz"})
		if err != nil {
			return
		}
		var b strings.Builder
		series := 0
		for _, mf := range fams {
			series += len(mf.Metric)
			if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
				return // e.g. names the text writer cannot express
			}
		}
		again, _, err := Parse([]byte(b.String()), nil)
		if err != nil {
			return
		}
		n := 0
		for _, mf := range again {
			n += len(mf.Metric)
		}
		if n != series {
			t.Fatalf("round trip: %d series, then %d\n%s", series, n, b.String())
		}
	})
}
