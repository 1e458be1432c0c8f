package cloudwatch

import (
	"bufio"
	"encoding/json"
	"io"
)

// emfWriter writes records as CloudWatch Embedded Metric Format lines, one
// JSON object per timestamp and dimension set, with every metric at that
// dimension set (here one):
//
//	{"_aws":{"Timestamp":<ms>,"CloudWatchMetrics":[{"Namespace":"VoiceWatch",
//	  "Dimensions":[["Environment","Service","outcome"]],
//	  "Metrics":[{"Name":"voice_sessions_ended_total","Unit":"Count"}]}]},
//	 "Environment":"prod","Service":"voice","outcome":"completed",
//	 "voice_sessions_ended_total":3}
//
// Histograms are written as {"Values":[...],"Counts":[...],"Count":n,
// "Sum":s,"Min":v0,"Max":vn} (the shape the CloudWatch agent emits), with at
// most 100 values per line; Count and Sum are the exact delta count and sum
// (a histogram split over several lines carries each line's count and the
// sum of its representative values), Min and Max the smallest and largest
// representative values. Unit is left
// out for unit-less metrics; StorageResolution 1 is written for
// high-resolution configurations.
type emfWriter struct {
	w   *bufio.Writer
	cfg *Config
}

func newEMFWriter(w io.Writer, cfg *Config) *emfWriter {
	return &emfWriter{w: bufio.NewWriter(w), cfg: cfg}
}

type emfMetric struct {
	Name              string `json:"Name"`
	Unit              string `json:"Unit,omitempty"`
	StorageResolution int    `json:"StorageResolution,omitempty"`
}

type emfDirective struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []emfMetric `json:"Metrics"`
}

type emfMeta struct {
	Timestamp         int64          `json:"Timestamp"`
	CloudWatchMetrics []emfDirective `json:"CloudWatchMetrics"`
}

type emfHistogram struct {
	Values []float64 `json:"Values"`
	Counts []float64 `json:"Counts"`
	Count  uint64    `json:"Count"`
	Sum    float64   `json:"Sum"`
	Min    float64   `json:"Min"`
	Max    float64   `json:"Max"`
}

// emfMaxMetrics is the most metrics one EMF directive may declare.
const emfMaxMetrics = 100

// emfGroup is the metrics of one line: one timestamp, one dimension set.
type emfGroup struct {
	r      *record // the first record: timestamp and dimensions
	recs   []*record
	values []any
}

// write writes the records that have something to send and returns how many
// metric values it wrote. Metrics that share a timestamp and a dimension set
// share a line (up to 100 per line), as the EMF specification allows and
// the CloudWatch agent does: at 10k series that is far fewer, shorter lines.
// A histogram too large for one line (over 100 values) gets lines of its own.
func (ew *emfWriter) write(recs []*record) (int, error) {
	values := 0
	groups := map[string]*emfGroup{}
	var order []*emfGroup
	var key []byte
	for _, r := range recs {
		if !r.has {
			continue
		}
		var v any = r.value
		if r.kind == kindHistogram {
			vs, cs := valuesCounts(r.bounds, r.counts, emfMaxValues)
			if len(vs) == 0 { // no observation in this interval
				continue
			}
			if len(vs) > 1 {
				n, err := ew.splitHistogram(r, vs, cs)
				values += n
				if err != nil {
					return values, err
				}
				continue
			}
			v = emfHistogram{Values: vs[0], Counts: cs[0], Count: r.count, Sum: r.sum, Min: vs[0][0], Max: vs[0][len(vs[0])-1]}
		}
		key = ew.groupKey(key[:0], r)
		g := groups[string(key)]
		if g == nil || len(g.recs) == emfMaxMetrics {
			g = &emfGroup{r: r}
			groups[string(key)] = g
			order = append(order, g)
		}
		g.recs = append(g.recs, r)
		g.values = append(g.values, v)
		values++
	}
	for _, g := range order {
		if err := ew.line(g); err != nil {
			return values, err
		}
	}
	return values, ew.w.Flush()
}

func (ew *emfWriter) groupKey(dst []byte, r *record) []byte {
	dst = append(dst, r.t.Format("20060102150405.000")...)
	for _, d := range r.dims {
		dst = append(dst, 0)
		dst = append(dst, *d.Name...)
		dst = append(dst, 0)
		dst = append(dst, *d.Value...)
	}
	return dst
}

// splitHistogram writes a histogram with more than 100 values over several
// lines; split lines cannot share the exact sum out, so each carries its own
// count and the sum of its representative values.
func (ew *emfWriter) splitHistogram(r *record, values, counts [][]float64) (int, error) {
	for i := range values {
		h := emfHistogram{Values: values[i], Counts: counts[i], Min: values[i][0], Max: values[i][len(values[i])-1]}
		for j, c := range counts[i] {
			h.Count += uint64(c)
			h.Sum += c * values[i][j]
		}
		if err := ew.line(&emfGroup{r: r, recs: []*record{r}, values: []any{h}}); err != nil {
			return i, err
		}
	}
	return len(values), nil
}

func (ew *emfWriter) line(g *emfGroup) error {
	r := g.r
	dimNames := make([]string, 0, len(r.dims))
	for _, d := range r.dims {
		dimNames = append(dimNames, *d.Name)
	}
	metrics := make([]emfMetric, len(g.recs))
	for i, mr := range g.recs {
		metrics[i] = emfMetric{Name: mr.name, Unit: string(mr.unit)}
		if ew.cfg.StorageResolution == 1 {
			metrics[i].StorageResolution = 1
		}
	}
	meta, err := json.Marshal(emfMeta{
		Timestamp:         r.t.UnixMilli(),
		CloudWatchMetrics: []emfDirective{{Namespace: ew.cfg.Namespace, Dimensions: [][]string{dimNames}, Metrics: metrics}},
	})
	if err != nil {
		return err
	}
	ew.w.WriteString(`{"_aws":`)
	ew.w.Write(meta)
	for _, d := range r.dims {
		ew.w.WriteByte(',')
		writeJSONString(ew.w, *d.Name)
		ew.w.WriteByte(':')
		writeJSONString(ew.w, *d.Value)
	}
	for i, mr := range g.recs {
		val, err := json.Marshal(g.values[i])
		if err != nil {
			return err
		}
		ew.w.WriteByte(',')
		writeJSONString(ew.w, mr.name)
		ew.w.WriteByte(':')
		ew.w.Write(val)
	}
	_, err = ew.w.WriteString("}\n")
	return err
}

func writeJSONString(w *bufio.Writer, s string) {
	b, _ := json.Marshal(s) // a string always marshals
	w.Write(b)
}
