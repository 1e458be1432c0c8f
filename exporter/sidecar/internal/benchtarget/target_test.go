package benchtarget

import (
	"net/http/httptest"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

func scrape(t *testing.T, tg *Target) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	tg.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Fatalf("Content-Type %q", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("the target's output does not parse: %v", err)
	}
	return mfs
}

func countSeries(mfs map[string]*dto.MetricFamily) int {
	n := 0
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if h := m.GetHistogram(); h != nil {
				n += len(h.GetBucket()) + 2 // buckets (the parser keeps +Inf), _sum, _count
				continue
			}
			n++
		}
	}
	return n
}

func TestSeriesCount(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want int
	}{
		{"defaults are 10k series", Config{}, 10000},
		{"no histograms", Config{Counters: 50, Gauges: 50, NoHistograms: true}, 10000},
		{"small", Config{Counters: 1, Gauges: 1, Histograms: 1, SeriesPerMetric: 2}, 2 * (1 + 1 + 11)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cfg.Series(); got != tt.want {
				t.Errorf("Config.Series() = %d, want %d", got, tt.want)
			}
			if got := countSeries(scrape(t, New(tt.cfg))); got != tt.want {
				t.Errorf("one scrape has %d series, want %d", got, tt.want)
			}
		})
	}
}

// Two scrapes differ by exactly one scrape's worth: counters and histograms
// grow, histogram buckets by one observation each, gauges stay in range.
func TestValuesAdvancePerScrape(t *testing.T) {
	tg := New(Config{Counters: 3, Gauges: 2, Histograms: 1, SeriesPerMetric: 5})
	first, second := scrape(t, tg), scrape(t, tg)
	if tg.Scrapes() != 2 {
		t.Fatalf("Scrapes() = %d, want 2", tg.Scrapes())
	}
	for name, mf := range second {
		for i, m := range mf.GetMetric() {
			prev := first[name].GetMetric()[i]
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				if d := m.GetCounter().GetValue() - prev.GetCounter().GetValue(); d <= 0 {
					t.Errorf("%s series %d: counter delta %v, want > 0", name, i, d)
				}
			case dto.MetricType_GAUGE:
				if v := m.GetGauge().GetValue(); v < 0 || v >= 1000 {
					t.Errorf("%s series %d: gauge %v outside [0, 1000)", name, i, v)
				}
			case dto.MetricType_HISTOGRAM:
				h, ph := m.GetHistogram(), prev.GetHistogram()
				if len(h.GetBucket()) != len(Bounds)+1 {
					t.Fatalf("%s: %d buckets, want %d and +Inf", name, len(h.GetBucket()), len(Bounds))
				}
				for j, b := range h.GetBucket()[:len(Bounds)] {
					if b.GetUpperBound() != Bounds[j] {
						t.Errorf("%s bucket %d: bound %v, want %v", name, j, b.GetUpperBound(), Bounds[j])
					}
					if d := b.GetCumulativeCount() - ph.GetBucket()[j].GetCumulativeCount(); d != uint64(j+1) {
						t.Errorf("%s bucket le=%v: cumulative delta %d, want %d", name, Bounds[j], d, j+1)
					}
				}
				if d := h.GetSampleCount() - ph.GetSampleCount(); d != uint64(len(Bounds)+1) {
					t.Errorf("%s: count delta %d, want %d", name, d, len(Bounds)+1)
				}
				want := InfObservation
				for _, ub := range Bounds {
					want += ub
				}
				if d := h.GetSampleSum() - ph.GetSampleSum(); d < want-1e-9 || d > want+1e-9 {
					t.Errorf("%s: sum delta %v, want %v", name, d, want)
				}
			default:
				t.Errorf("%s: unexpected type %v", name, mf.GetType())
			}
		}
	}
}
