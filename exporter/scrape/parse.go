package scrape

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"google.golang.org/protobuf/proto"
)

// Parse decodes a Prometheus text-format body (an OpenMetrics body's
// trailing "# EOF" is accepted) into families sorted by name, adds labels
// to every series (a scraped label of the same name is renamed
// exported_<name>), sorts each series' labels and drops duplicate series.
// It returns the families and the number of samples. The returned families
// are never modified afterwards: callers may share them.
func Parse(body []byte, labels map[string]string) ([]*dto.MetricFamily, int, error) {
	body = trimEOF(body)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	byName, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w", ErrParse, err)
	}
	extra := make([]*dto.LabelPair, 0, len(labels))
	for k, v := range labels {
		extra = append(extra, &dto.LabelPair{Name: proto.String(k), Value: proto.String(v)})
	}
	out := make([]*dto.MetricFamily, 0, len(byName))
	samples := 0
	for _, mf := range byName {
		if len(mf.Metric) == 0 {
			continue
		}
		seen := make(map[string]struct{}, len(mf.Metric))
		kept := mf.Metric[:0]
		for _, m := range mf.Metric {
			m.Label = relabel(m.Label, extra)
			key := seriesKey(m.Label)
			if _, dup := seen[key]; dup {
				continue
			}
			seen[key] = struct{}{}
			kept = append(kept, m)
			samples += sampleCount(m)
		}
		mf.Metric = kept
		out = append(out, mf)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].GetName() < out[j].GetName() })
	return out, samples, nil
}

// trimEOF removes an OpenMetrics "# EOF" terminator line.
func trimEOF(b []byte) []byte {
	t := bytes.TrimRight(b, "\n")
	if bytes.HasSuffix(t, []byte("# EOF")) {
		i := len(t) - len("# EOF")
		if i == 0 || t[i-1] == '\n' {
			return t[:i]
		}
	}
	return b
}

// relabel adds extra to ls, renaming clashing scraped labels to
// exported_<name>, and returns the pairs sorted by name.
func relabel(ls, extra []*dto.LabelPair) []*dto.LabelPair {
	if len(extra) > 0 {
		for _, l := range ls {
			for _, e := range extra {
				if l.GetName() == e.GetName() {
					l.Name = proto.String("exported_" + l.GetName())
				}
			}
		}
		ls = append(ls, extra...)
	}
	slices.SortFunc(ls, func(a, b *dto.LabelPair) int { return strings.Compare(a.GetName(), b.GetName()) })
	// A renamed label may now clash with an existing exported_ label: keep
	// the first.
	return slices.CompactFunc(ls, func(a, b *dto.LabelPair) bool { return a.GetName() == b.GetName() })
}

func seriesKey(ls []*dto.LabelPair) string {
	var b strings.Builder
	for _, l := range ls {
		b.WriteString(l.GetName())
		b.WriteByte(0)
		b.WriteString(l.GetValue())
		b.WriteByte(0)
	}
	return b.String()
}

func sampleCount(m *dto.Metric) int {
	switch {
	case m.Histogram != nil:
		return len(m.Histogram.Bucket) + 2
	case m.Summary != nil:
		return len(m.Summary.Quantile) + 2
	default:
		return 1
	}
}
