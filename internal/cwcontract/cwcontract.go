// Package cwcontract checks the CloudWatch contract between the sidecar and
// what reads its metrics: the alarms (alerts) and the dashboard body
// (dashboards). CloudWatch matches a metric by namespace, name and the
// exact set of dimensions; a query whose set the sidecar does not publish
// finds no data, silently. Published collects what the sidecar published
// (Embedded Metric Format lines, PutMetricData datums); Reads lists every
// metric and SEARCH schema the alarms and the dashboard read; Missing
// applies CloudWatch's matching rule to both. Tests use it to run both
// sides of the seam for real.
package cwcontract

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/voicewatch/voicewatch/alerts"
)

// Metric is one CloudWatch metric: namespace, name, exact dimensions.
type Metric struct {
	Namespace, Name string
	Dimensions      map[string]string
}

// Key is the metric's identity in CloudWatch.
func (m Metric) Key() string {
	var b strings.Builder
	b.WriteString(m.Namespace + " " + m.Name + " {")
	for i, k := range slices.Sorted(maps.Keys(m.Dimensions)) {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(k + "=" + m.Dimensions[k])
	}
	b.WriteString("}")
	return b.String()
}

// Published is the set of metrics that received at least one datapoint,
// by Key, with the values seen.
type Published map[string]*Series

// Series is one published metric and its datapoints.
type Series struct {
	Metric
	Values []float64 // gauge and counter values; histograms: their sample counts
}

func (p Published) add(m Metric, v float64) {
	s, ok := p[m.Key()]
	if !ok {
		s = &Series{Metric: m}
		p[m.Key()] = s
	}
	s.Values = append(s.Values, v)
}

// AddEMF adds the metrics of Embedded Metric Format lines: each metric of
// each directive at each of its dimension sets, with the dimension values
// of the line (the EMF specification's extraction rule).
func (p Published) AddEMF(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		var line map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return fmt.Errorf("EMF line %d: %w", n, err)
		}
		var meta struct {
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name string }
			}
		}
		if err := json.Unmarshal(line["_aws"], &meta); err != nil {
			return fmt.Errorf("EMF line %d: _aws: %w", n, err)
		}
		for _, d := range meta.CloudWatchMetrics {
			for _, set := range d.Dimensions {
				dims := map[string]string{}
				for _, name := range set {
					var v string
					if err := json.Unmarshal(line[name], &v); err != nil {
						return fmt.Errorf("EMF line %d: dimension %s: %w", n, name, err)
					}
					dims[name] = v
				}
				for _, m := range d.Metrics {
					v, err := emfValue(line[m.Name])
					if err != nil {
						return fmt.Errorf("EMF line %d: metric %s: %w", n, m.Name, err)
					}
					p.add(Metric{Namespace: d.Namespace, Name: m.Name, Dimensions: dims}, v)
				}
			}
		}
	}
	return sc.Err()
}

// emfValue reads a metric's member: a number, or a Values/Counts object
// (its sample count).
func emfValue(raw json.RawMessage) (float64, error) {
	var v float64
	if err := json.Unmarshal(raw, &v); err == nil {
		return v, nil
	}
	var h struct{ Counts []float64 }
	if err := json.Unmarshal(raw, &h); err != nil {
		return 0, err
	}
	n := 0.0
	for _, c := range h.Counts {
		n += c
	}
	return n, nil
}

// AddDatums adds PutMetricData datums sent to namespace.
func (p Published) AddDatums(namespace string, ds []types.MetricDatum) {
	for _, d := range ds {
		dims := map[string]string{}
		for _, dd := range d.Dimensions {
			dims[aws.ToString(dd.Name)] = aws.ToString(dd.Value)
		}
		v := aws.ToFloat64(d.Value)
		for _, c := range d.Counts {
			v += c
		}
		p.add(Metric{Namespace: namespace, Name: aws.ToString(d.MetricName), Dimensions: dims}, v)
	}
}

// Read is one metric or SEARCH schema an alarm or a widget reads.
type Read struct {
	// Where names the alarm or widget.
	Where string
	// Metric is an exact metric (Search false).
	Metric Metric
	// Search: Metric.Dimensions holds the schema's dimension names with
	// the values the search terms require ("" when any value matches).
	Search bool
	// Expression is the SEARCH expression as written.
	Expression string
}

func (r Read) String() string {
	if r.Search {
		return r.Where + ": " + r.Expression
	}
	return r.Where + ": " + r.Metric.Key()
}

// AlarmReads returns every metric in namespace the alarms read, each
// metric of a metric-math alarm included.
func AlarmReads(defs alerts.CloudWatchDefinitions, namespace string) []Read {
	var out []Read
	for _, a := range defs.Alarms {
		if a.Namespace == namespace {
			out = append(out, Read{Where: "alarm " + a.Name, Metric: Metric{Namespace: a.Namespace, Name: a.MetricName, Dimensions: a.Dimensions}})
		}
		for _, q := range a.Metrics {
			if q.MetricName != "" && q.Namespace == namespace {
				out = append(out, Read{Where: "alarm " + a.Name + " query " + q.ID, Metric: Metric{Namespace: q.Namespace, Name: q.MetricName, Dimensions: q.Dimensions}})
			}
		}
	}
	return out
}

var (
	searchRE = regexp.MustCompile(`SEARCH\('\{([^}]*)\}\s*([^']*)'`)
	termRE   = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)="([^"]*)"`)
)

// DashboardReads returns every metric row and SEARCH expression in
// namespace of a CloudWatch dashboard body.
func DashboardReads(body []byte, namespace string) ([]Read, error) {
	var b struct {
		Widgets []struct {
			Properties struct {
				Title   string
				Metrics [][]any
			}
		}
	}
	if err := json.Unmarshal(body, &b); err != nil {
		return nil, fmt.Errorf("dashboard body: %w", err)
	}
	var out []Read
	for _, w := range b.Widgets {
		where := "widget " + w.Properties.Title
		for _, row := range w.Properties.Metrics {
			if len(row) == 0 {
				continue
			}
			if opts, ok := row[0].(map[string]any); ok {
				e, _ := opts["expression"].(string)
				for _, m := range searchRE.FindAllStringSubmatch(e, -1) {
					schema := strings.Split(m[1], ",")
					if strings.TrimSpace(schema[0]) != namespace {
						continue
					}
					r := Read{Where: where, Search: true, Expression: m[0], Metric: Metric{Namespace: namespace, Dimensions: map[string]string{}}}
					for _, d := range schema[1:] {
						r.Metric.Dimensions[strings.TrimSpace(d)] = ""
					}
					for _, t := range termRE.FindAllStringSubmatch(m[2], -1) {
						if t[1] == "MetricName" {
							r.Metric.Name = t[2]
						} else {
							r.Metric.Dimensions[t[1]] = t[2]
						}
					}
					out = append(out, r)
				}
				continue
			}
			ns, _ := row[0].(string)
			if ns != namespace || len(row) < 2 {
				continue
			}
			name, _ := row[1].(string)
			m := Metric{Namespace: ns, Name: name, Dimensions: map[string]string{}}
			for i := 2; i+1 < len(row); i += 2 {
				k, ok1 := row[i].(string)
				v, ok2 := row[i+1].(string)
				if ok1 && ok2 {
					m.Dimensions[k] = v
				}
			}
			out = append(out, Read{Where: where, Metric: m})
		}
	}
	return out, nil
}

// Matches returns the published series a read finds under CloudWatch's
// rule: same namespace and name, exactly the same dimension names, and
// the values the read fixes.
func (p Published) Matches(r Read) []*Series {
	var out []*Series
	for _, s := range p {
		if s.Namespace != r.Metric.Namespace || s.Name != r.Metric.Name || len(s.Dimensions) != len(r.Metric.Dimensions) {
			continue
		}
		ok := true
		for k, want := range r.Metric.Dimensions {
			got, has := s.Dimensions[k]
			if !has || (want != "" && got != want) || (!r.Search && got != want) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b *Series) int { return strings.Compare(a.Key(), b.Key()) })
	return out
}

// Missing returns the reads that find no published metric.
func (p Published) Missing(reads []Read) []Read {
	var out []Read
	for _, r := range reads {
		if len(p.Matches(r)) == 0 {
			out = append(out, r)
		}
	}
	return out
}
