package cloudwatch

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
	"reflect"
	"strconv"
	"unicode/utf8"
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
//
// Lines are encoded by hand (append-style, into a reused buffer) rather than
// with encoding/json, byte for byte as encoding/json would encode them: this
// is the hot path of mode emf. Not safe for concurrent use: the exporter
// serialises calls.
type emfWriter struct {
	w   *bufio.Writer
	cfg *Config

	buf    []byte         // the line being encoded
	key    []byte         // the group key being built
	index  map[string]int // group key → index in groups, for one write
	groups []emfGroup     // one write's lines, in first-seen order
}

func newEMFWriter(w io.Writer, cfg *Config) *emfWriter {
	return &emfWriter{w: bufio.NewWriter(w), cfg: cfg, index: map[string]int{}}
}

// emfHistogram is the Values/Counts object of a histogram metric.
type emfHistogram struct {
	Values []float64
	Counts []float64
	Count  uint64
	Sum    float64
	Min    float64
	Max    float64
}

// emfMaxMetrics is the most metrics one EMF directive may declare.
const emfMaxMetrics = 100

// emfItem is one metric of a line: its record and, for a histogram, its
// Values/Counts object (nil for a gauge or counter, written as r.value).
type emfItem struct {
	r    *record
	hist *emfHistogram
}

// emfGroup is the metrics of one line: one timestamp, one dimension set.
type emfGroup struct {
	r     *record // the first record: timestamp and dimensions
	items []emfItem
}

// write writes the records that have something to send and returns how many
// metric values it wrote. Metrics that share a timestamp and a dimension set
// share a line (up to 100 per line), as the EMF specification allows and
// the CloudWatch agent does: at 10k series that is far fewer, shorter lines.
// A histogram too large for one line (over 100 values) gets lines of its own.
func (ew *emfWriter) write(recs []*record) (int, error) {
	defer ew.reset()
	values, err := walkEMF(recs, ew)
	if err != nil {
		return values, err
	}
	for i := range ew.groups {
		g := &ew.groups[i]
		if err := ew.line(g.r, g.items); err != nil {
			return values, err
		}
	}
	return values, ew.w.Flush()
}

// emfLines is where walkEMF sends the metric values of a write: the
// writer, and the encoding/json reference its tests compare it with.
type emfLines interface {
	// add puts it on the line of its timestamp and dimension set.
	add(it emfItem)
	// own writes it on a line of its own.
	own(it emfItem) error
}

// walkEMF sends the metric values recs have to send to lines, in order, and
// returns how many it sent. A gauge's or counter's value, and a histogram's
// Values/Counts object with the exact delta count and sum (finiteSum), go
// on the line of their timestamp and dimension set; a histogram with more
// than 100 values gets lines of its own (splitLine), one without an
// observation in this interval none. It stops at the first error of own.
func walkEMF(recs []*record, lines emfLines) (int, error) {
	values := 0
	for _, r := range recs {
		if !r.has {
			continue
		}
		if r.kind != kindHistogram {
			lines.add(emfItem{r: r})
			values++
			continue
		}
		h := r.histogram()
		vs, cs := valuesCounts(h.bounds, h.counts, emfMaxValues)
		switch len(vs) {
		case 0: // no observation in this interval
		case 1:
			lines.add(emfItem{r: r, hist: &emfHistogram{Values: vs[0], Counts: cs[0], Count: h.count, Sum: finiteSum(h.sum, vs[0], cs[0]), Min: vs[0][0], Max: vs[0][len(vs[0])-1]}})
			values++
		default:
			for i := range vs {
				line := splitLine(vs[i], cs[i])
				if err := lines.own(emfItem{r: r, hist: &line}); err != nil {
					return values, err
				}
				values++
			}
		}
	}
	return values, nil
}

// add adds it to the group of its timestamp and dimension set, starting a
// new group for the first metric of a set and when the group is full.
func (ew *emfWriter) add(it emfItem) {
	ew.key = appendGroupKey(ew.key[:0], it.r)
	i, ok := ew.index[string(ew.key)]
	if !ok || len(ew.groups[i].items) == emfMaxMetrics {
		i = ew.newGroup(it.r)
		ew.index[string(ew.key)] = i
	}
	ew.groups[i].items = append(ew.groups[i].items, it)
}

// newGroup appends a group for r's line and returns its index, reusing the
// item slice a previous write left at that index.
func (ew *emfWriter) newGroup(r *record) int {
	i := len(ew.groups)
	if i < cap(ew.groups) {
		ew.groups = ew.groups[:i+1]
		ew.groups[i].r = r
		ew.groups[i].items = ew.groups[i].items[:0]
	} else {
		ew.groups = append(ew.groups, emfGroup{r: r})
	}
	return i
}

// reset empties the groups of a write for the next one, keeping their
// memory but no reference to the records.
func (ew *emfWriter) reset() {
	for i := range ew.groups {
		ew.groups[i].r = nil
		clear(ew.groups[i].items)
	}
	ew.groups = ew.groups[:0]
	clear(ew.index)
}

// appendGroupKey appends the key of r's line: its timestamp (the instant,
// to the millisecond, as the line's Timestamp has it) and its dimensions.
// (The first writer keyed on the wall-clock time, which merged the two
// 01:30s of a daylight-saving change and split one instant seen in two
// zones.)
func appendGroupKey(dst []byte, r *record) []byte {
	dst = binary.BigEndian.AppendUint64(dst, uint64(r.ms))
	for _, d := range r.dims {
		dst = append(dst, 0)
		dst = append(dst, *d.Name...)
		dst = append(dst, 0)
		dst = append(dst, *d.Value...)
	}
	return dst
}

// own writes it on a line of its own.
func (ew *emfWriter) own(it emfItem) error {
	return ew.line(it.r, []emfItem{it})
}

// splitLine is the Values/Counts object of one line of a histogram split
// over several: split lines cannot share the exact sum out, so each carries
// its own count and the sum of its representative values.
func splitLine(values, counts []float64) emfHistogram {
	h := emfHistogram{Values: values, Counts: counts, Min: values[0], Max: values[len(values)-1]}
	for j, c := range counts {
		h.Count += uint64(c)
		h.Sum += c * values[j]
	}
	return h
}

// line writes the line of items at r's timestamp and dimensions. A line
// with a value JSON cannot represent (NaN, ±Inf) is not written at all.
func (ew *emfWriter) line(r *record, items []emfItem) error {
	b, err := ew.appendLine(ew.buf[:0], r, items)
	ew.buf = b
	if err != nil {
		return err
	}
	_, err = ew.w.Write(b)
	return err
}

// appendLine appends the line of items at r's timestamp and dimensions: the
// _aws metadata, the dimension values, then the metric values.
func (ew *emfWriter) appendLine(b []byte, r *record, items []emfItem) ([]byte, error) {
	b = append(b, `{"_aws":`...)
	b = ew.appendMeta(b, r, items)
	for _, d := range r.dims {
		b = append(b, ',')
		b = appendJSONString(b, *d.Name)
		b = append(b, ':')
		b = appendJSONString(b, *d.Value)
	}
	for _, it := range items {
		b = append(b, ',')
		b = appendJSONString(b, it.r.name)
		b = append(b, ':')
		var err error
		if b, err = appendEMFValue(b, it); err != nil {
			return b, err
		}
	}
	return append(b, "}\n"...), nil
}

// appendMeta appends the _aws object: the timestamp and one directive with
// the namespace, r's dimension names and the metrics of items.
func (ew *emfWriter) appendMeta(b []byte, r *record, items []emfItem) []byte {
	b = append(b, `{"Timestamp":`...)
	b = strconv.AppendInt(b, r.ms, 10)
	b = append(b, `,"CloudWatchMetrics":[{"Namespace":`...)
	b = appendJSONString(b, ew.cfg.Namespace)
	b = append(b, `,"Dimensions":[[`...)
	for i, d := range r.dims {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, *d.Name)
	}
	b = append(b, `]],"Metrics":[`...)
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = ew.appendMetric(b, it.r)
	}
	return append(b, `]}]}`...)
}

// appendMetric appends the declaration of r's metric: its name, its unit
// unless it has none, and StorageResolution 1 for high resolution.
func (ew *emfWriter) appendMetric(b []byte, r *record) []byte {
	b = append(b, `{"Name":`...)
	b = appendJSONString(b, r.name)
	if r.unit != "" {
		b = append(b, `,"Unit":`...)
		b = appendJSONString(b, string(r.unit))
	}
	if ew.cfg.StorageResolution == 1 {
		b = append(b, `,"StorageResolution":1`...)
	}
	return append(b, '}')
}

// appendEMFValue appends the value of it: a number for a gauge or counter,
// the Values/Counts object for a histogram.
func appendEMFValue(b []byte, it emfItem) ([]byte, error) {
	if it.hist == nil {
		if err := checkFinite(it.r.value); err != nil {
			return b, err
		}
		return appendJSONFloat(b, it.r.value), nil
	}
	return appendHistogram(b, it.hist)
}

// appendHistogram appends h as {"Values":[...],"Counts":[...],"Count":n,
// "Sum":s,"Min":v,"Max":v}.
func appendHistogram(b []byte, h *emfHistogram) ([]byte, error) {
	if err := checkFiniteHistogram(h); err != nil {
		return b, err
	}
	b = append(b, `{"Values":`...)
	b = appendJSONFloats(b, h.Values)
	b = append(b, `,"Counts":`...)
	b = appendJSONFloats(b, h.Counts)
	b = append(b, `,"Count":`...)
	b = strconv.AppendUint(b, h.Count, 10)
	b = append(b, `,"Sum":`...)
	b = appendJSONFloat(b, h.Sum)
	b = append(b, `,"Min":`...)
	b = appendJSONFloat(b, h.Min)
	b = append(b, `,"Max":`...)
	b = appendJSONFloat(b, h.Max)
	return append(b, '}'), nil
}

// finiteSum returns sum, or, when an observation of ±Inf or NaN made it
// non-finite, the sum of the representative values (EMF requires a Sum;
// the API datum has none, so there the observations are sent as they are).
func finiteSum(sum float64, values, counts []float64) float64 {
	if !math.IsNaN(sum) && !math.IsInf(sum, 0) {
		return sum
	}
	est := 0.0
	for i, v := range values {
		est += v * counts[i]
	}
	return est
}

// checkFiniteHistogram returns the error of the first value of h, in field
// order, that JSON cannot represent.
func checkFiniteHistogram(h *emfHistogram) error {
	if err := checkFiniteAll(h.Values); err != nil {
		return err
	}
	if err := checkFiniteAll(h.Counts); err != nil {
		return err
	}
	return checkFiniteAll([]float64{h.Sum, h.Min, h.Max})
}

// checkFiniteAll returns the error of the first value of fs that JSON
// cannot represent.
func checkFiniteAll(fs []float64) error {
	for _, f := range fs {
		if err := checkFinite(f); err != nil {
			return err
		}
	}
	return nil
}

// checkFinite returns the error encoding/json returns for NaN and ±Inf
// (the writer used encoding/json before; the error stays the same).
func checkFinite(f float64) error {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return &json.UnsupportedValueError{Value: reflect.ValueOf(f), Str: strconv.FormatFloat(f, 'g', -1, 64)}
	}
	return nil
}

// appendJSONFloats appends fs as a JSON array (null when nil, as
// encoding/json does); its values must be finite.
func appendJSONFloats(b []byte, fs []float64) []byte {
	if fs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, f := range fs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONFloat(b, f)
	}
	return append(b, ']')
}

// appendJSONFloat appends finite f as encoding/json encodes a float64 (ES6
// number to string): the shortest representation that reads back as f, in
// 'f' format unless |f| < 1e-6 or |f| >= 1e21, in 'e' format with the
// exponent not padded to two digits (1e-7, not 1e-07).
func appendJSONFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// hexDigits are the digits of \u escapes, lower case as in encoding/json.
const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string, escaped exactly as
// encoding/json escapes it by default: '"', '\\' and control characters,
// the HTML-sensitive '<', '>' and '&', U+2028 and U+2029; each byte of
// invalid UTF-8 becomes \ufffd.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0 // s[start:i] is safe and not appended yet
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if jsonSafeASCII(c) {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			b = appendEscapedASCII(b, c)
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// jsonSafeASCII reports whether encoding/json writes ASCII byte c as is in
// a string (HTML-safe: '<', '>' and '&' are escaped).
func jsonSafeASCII(c byte) bool {
	return c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
}

// appendEscapedASCII appends the escape of ASCII byte c that
// jsonSafeASCII rejects, as encoding/json writes it.
func appendEscapedASCII(b []byte, c byte) []byte {
	switch c {
	case '\\', '"':
		return append(b, '\\', c)
	case '\b':
		return append(b, '\\', 'b')
	case '\f':
		return append(b, '\\', 'f')
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	}
	return append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
}
