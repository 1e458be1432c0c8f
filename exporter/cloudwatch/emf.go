package cloudwatch

import (
	"bufio"
	"encoding/json"
	"io"
)

// emfWriter writes records as CloudWatch Embedded Metric Format lines, one
// JSON object per record (metric at one dimension set):
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

// write writes the records that have something to send and returns how many
// metric values (lines) it wrote.
func (ew *emfWriter) write(recs []*record) (int, error) {
	lines := 0
	for _, r := range recs {
		if !r.has {
			continue
		}
		if r.kind != kindHistogram {
			if err := ew.line(r, r.value); err != nil {
				return lines, err
			}
			lines++
			continue
		}
		values, counts := valuesCounts(r.bounds, r.counts, emfMaxValues)
		for i := range values {
			h := emfHistogram{Values: values[i], Counts: counts[i], Min: values[i][0], Max: values[i][len(values[i])-1]}
			if len(values) == 1 {
				h.Count, h.Sum = r.count, r.sum
			} else {
				// Split lines cannot share the exact sum out; each carries
				// its own count and the sum of its representative values.
				for j, c := range counts[i] {
					h.Count += uint64(c)
					h.Sum += c * values[i][j]
				}
			}
			if err := ew.line(r, h); err != nil {
				return lines, err
			}
			lines++
		}
	}
	return lines, ew.w.Flush()
}

func (ew *emfWriter) line(r *record, value any) error {
	dimNames := make([]string, 0, len(r.dims))
	for _, d := range r.dims {
		dimNames = append(dimNames, *d.Name)
	}
	m := emfMetric{Name: r.name, Unit: string(r.unit)}
	if ew.cfg.StorageResolution == 1 {
		m.StorageResolution = 1
	}
	meta, err := json.Marshal(emfMeta{
		Timestamp:         r.t.UnixMilli(),
		CloudWatchMetrics: []emfDirective{{Namespace: ew.cfg.Namespace, Dimensions: [][]string{dimNames}, Metrics: []emfMetric{m}}},
	})
	if err != nil {
		return err
	}
	val, err := json.Marshal(value)
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
	ew.w.WriteByte(',')
	writeJSONString(ew.w, r.name)
	ew.w.WriteByte(':')
	ew.w.Write(val)
	_, err = ew.w.WriteString("}\n")
	return err
}

func writeJSONString(w *bufio.Writer, s string) {
	b, _ := json.Marshal(s) // a string always marshals
	w.Write(b)
}
