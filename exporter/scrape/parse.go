package scrape

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/textparse"
	"google.golang.org/protobuf/proto"
)

// Parse decodes a Prometheus text-format body (an OpenMetrics body's
// trailing "# EOF" is accepted) into families sorted by name, adds labels
// to every series (a scraped label of the same name is renamed
// exported_<name>, as Prometheus does), sorts each series' labels and
// drops duplicate series. It returns the families and the number of
// samples. The returned families are never modified afterwards: callers
// may share them. A body with a NUL byte is refused (ErrParse).
//
// Parse keeps nothing between calls; a target's scrapes use a Parser,
// which reuses what it parsed before.
func Parse(body []byte, labels map[string]string) ([]*dto.MetricFamily, int, error) {
	return NewParser(labels).Parse(body)
}

// Parser parses the successive scrapes of one target. Like Prometheus'
// scrape cache, it keeps the parsed, relabelled label set of every series
// it saw in the previous scrape, keyed by the series' text, so a scrape of
// known series only lexes each line (model/textparse, the parser
// Prometheus and the OpenTelemetry Collector scrape with) and reads its
// value. Series not in a scrape are forgotten at its end. A Parser is not
// safe for concurrent use; the families it returns are never modified.
type Parser struct {
	extra []*dto.LabelPair
	cache map[string]*series
	gen   uint64 // scrape number, to forget series
	seen  int    // cached series this scrape has seen

	fams   map[string]*family
	order  []*family
	ref    expfmt.TextParser // labels of new series with le or quantile
	lset   labels.Labels     // labels of other new series
	pairs  [][2]string       // a new series' labels: name, value
	intern interner
	line   []byte
	key    []byte
	slab   slab
}

// series is what the cache keeps of one line's series text.
type series struct {
	name   string           // metric name on the line (interned)
	labels []*dto.LabelPair // relabelled and sorted, without __name__ (pairs interned)
	key    string           // identity of labels, for duplicates
	seen   uint64
	grp    *grouping // for histogram and summary lines, computed on first use
}

// grouping is a histogram or summary line's series without its le
// (bucket) or quantile label: the labels and identity of the metric it
// belongs to, and the bound. Never modified once made.
type grouping struct {
	special string // the label taken out
	labels  []*dto.LabelPair
	key     string
	bound   *float64 // nil without the label
	err     error    // the label is not a number
}

// family is one family being built during a scrape.
type family struct {
	name       string
	help       *string
	typ        dto.MetricType
	hasType    bool
	hasSamples bool
	metrics    []*dto.Metric
	index      map[string]*dto.Metric // series or group identity → metric
	used       bool                   // has a HELP, TYPE or sample in this scrape
}

// NewParser returns a Parser that adds labels to every series.
func NewParser(extra map[string]string) *Parser {
	p := &Parser{cache: map[string]*series{}, fams: map[string]*family{}, ref: expfmt.NewTextParser(model.UTF8Validation)}
	p.intern.reset()
	for _, k := range sortedNames(extra) {
		p.extra = append(p.extra, &dto.LabelPair{Name: proto.String(k), Value: proto.String(extra[k])})
	}
	return p
}

func sortedNames(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Parse parses one scrape body. See the package-level Parse for the result.
func (p *Parser) Parse(body []byte) ([]*dto.MetricFamily, int, error) {
	p.gen, p.seen = p.gen+1, 0
	p.reset()
	// Prometheus' lexer stops at a NUL byte as if the body ended there:
	// refuse the body rather than lose what follows it.
	if i := bytes.IndexByte(body, 0); i >= 0 {
		return nil, 0, fmt.Errorf("%w: NUL byte at offset %d", ErrParse, i)
	}
	tp := textparse.NewPromParser(lexable(trimEOF(body)), nil, false)
	for {
		entry, err := tp.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, 0, fmt.Errorf("%w: %w", ErrParse, err)
		}
		switch entry {
		case textparse.EntryHelp:
			name, help := tp.Help()
			f := p.family(name)
			if f.help != nil {
				return nil, 0, fmt.Errorf("%w: second HELP line for metric name %q", ErrParse, f.name)
			}
			f.help = proto.String(string(help))
		case textparse.EntryType:
			name, typ := tp.Type()
			f := p.family(name)
			if f.hasType || f.hasSamples {
				return nil, 0, fmt.Errorf("%w: second TYPE line for metric name %q, or TYPE reported after samples", ErrParse, f.name)
			}
			f.typ, f.hasType = dtoType(typ), true
		case textparse.EntrySeries:
			text, ts, v := tp.Series()
			s := p.cache[string(text)]
			if s == nil {
				if s, err = p.newSeries(tp, text); err != nil {
					return nil, 0, fmt.Errorf("%w: %w", ErrParse, err)
				}
			}
			if s.seen != p.gen {
				s.seen = p.gen
				p.seen++
			}
			if err := p.sample(s, ts, v); err != nil {
				return nil, 0, fmt.Errorf("%w: %w", ErrParse, err)
			}
		default:
			// Comments; the text format has no other entries.
		}
	}
	return p.finish()
}

// reset forgets the previous scrape's families (the returned ones stay
// untouched: only the builders are reused).
func (p *Parser) reset() {
	for _, f := range p.fams {
		f.help, f.typ, f.hasType, f.hasSamples, f.used = nil, dto.MetricType_UNTYPED, false, false, false
		f.metrics = nil
		clear(f.index)
	}
	p.order = p.order[:0]
	p.slab = slab{}
}

// family returns the builder of the family named name, creating it.
func (p *Parser) family(name []byte) *family {
	f := p.fams[string(name)]
	if f == nil {
		f = &family{name: string(name), typ: dto.MetricType_UNTYPED, index: map[string]*dto.Metric{}}
		p.fams[f.name] = f
	}
	if !f.used {
		f.used = true
		p.order = append(p.order, f)
	}
	return f
}

// lookup returns the family of this scrape named name, if any.
func (p *Parser) lookup(name string) *family {
	if f := p.fams[name]; f != nil && f.used {
		return f
	}
	return nil
}

// newSeries parses the labels of a series seen for the first time and
// caches them. Most series are read from the lexer (textparse) directly.
// A series that may have an le or quantile label, or an indented line, is
// read by the text format's reference parser (expfmt) from its text alone
// instead: textparse rewrites le and quantile values depending on the last
// TYPE line, which would make a cached series depend on where it was first
// seen, and keeps an indented line's blanks in the metric name.
func (p *Parser) newSeries(tp textparse.Parser, text []byte) (*series, error) {
	var (
		s   *series
		err error
	)
	// textparse also keeps the blanks before an indented line in the
	// metric name.
	if bytes.Contains(text, []byte("le")) || bytes.Contains(text, []byte("quantile")) || len(text) > 0 && (text[0] == ' ' || text[0] == '\t') {
		s, err = p.referenceSeries(text)
	} else {
		s, err = p.lexedSeries(tp)
	}
	if err != nil {
		return nil, err
	}
	s.key = string(p.appendKey(p.key[:0], s.labels, ""))
	p.cache[string(text)] = s
	return s, nil
}

// lexedSeries builds the current series from the lexer's labels, with the
// checks expfmt makes that the lexer does not: one value per label name,
// and label values in UTF-8.
func (p *Parser) lexedSeries(tp textparse.Parser) (*series, error) {
	tp.Labels(&p.lset)
	name := p.lset.Get(labels.MetricName)
	if name == "" {
		return nil, errors.New("a sample without a metric name")
	}
	p.pairs = p.pairs[:0]
	var err error
	prev := ""
	p.lset.Range(func(l labels.Label) { // sorted by name
		switch {
		case err != nil:
		case l.Name == prev:
			err = fmt.Errorf("duplicate label names for metric %q", name)
		case !utf8.ValidString(l.Value):
			err = fmt.Errorf("invalid label value %q", l.Value)
		case l.Name != labels.MetricName:
			p.pairs = append(p.pairs, [2]string{l.Name, l.Value})
		}
		prev = l.Name
	})
	if err != nil {
		return nil, err
	}
	return &series{name: p.intern.name(name), labels: p.relabel(p.pairs)}, nil
}

// referenceSeries reads the series text with expfmt.
func (p *Parser) referenceSeries(text []byte) (*series, error) {
	p.line = append(append(p.line[:0], text...), " 0\n"...)
	byName, err := p.ref.TextToMetricFamilies(bytes.NewReader(p.line))
	if err != nil {
		return nil, err
	}
	if len(byName) != 1 {
		return nil, fmt.Errorf("series %q is not one sample", text)
	}
	for name, mf := range byName {
		if len(mf.Metric) != 1 {
			break
		}
		p.pairs = p.pairs[:0]
		for _, l := range mf.Metric[0].Label {
			p.pairs = append(p.pairs, [2]string{l.GetName(), l.GetValue()})
		}
		return &series{name: p.intern.name(name), labels: p.relabel(p.pairs)}, nil
	}
	return nil, fmt.Errorf("series %q is not one sample", text)
}

// appendKey appends the identity of ls, leaving out the label skip.
func (p *Parser) appendKey(dst []byte, ls []*dto.LabelPair, skip string) []byte {
	for _, l := range ls {
		if skip != "" && l.GetName() == skip {
			continue
		}
		dst = append(dst, l.GetName()...)
		dst = append(dst, 0)
		dst = append(dst, l.GetValue()...)
		dst = append(dst, 0)
	}
	p.key = dst
	return dst
}

// group returns s's grouping without the label special.
func (p *Parser) group(s *series, special string) *grouping {
	if s.grp != nil && s.grp.special == special {
		return s.grp
	}
	g := &grouping{special: special, labels: make([]*dto.LabelPair, 0, len(s.labels))}
	for _, l := range s.labels {
		if l.GetName() == special {
			b, err := parseFloat(l.GetValue())
			g.bound, g.err = &b, err
			continue
		}
		g.labels = append(g.labels, l)
	}
	g.key = string(p.appendKey(p.key[:0], s.labels, special))
	s.grp = g
	return g
}

// role is what a sample line is to its family.
type role uint8

const (
	rolePlain role = iota
	roleSum
	roleCount
	roleBucket // histogram: a bucket; summary: a quantile
)

// resolve finds the family of a sample named name the way the text
// format's reference parser (prometheus/common/expfmt) does: a family of
// that exact name, else the summary or histogram whose _sum, _count (or
// _bucket) it is, else a new untyped family.
func (p *Parser) resolve(name string) (*family, role) {
	if f := p.lookup(name); f != nil {
		return f, rolePlain
	}
	for _, suffix := range [...]string{"_sum", "_count", "_bucket"} {
		base, ok := strings.CutSuffix(name, suffix)
		if !ok {
			continue
		}
		f := p.lookup(base)
		if f == nil {
			continue
		}
		switch {
		case f.typ == dto.MetricType_SUMMARY && suffix != "_bucket",
			f.typ == dto.MetricType_HISTOGRAM || f.typ == dto.MetricType_GAUGE_HISTOGRAM:
			r := roleSum
			switch suffix {
			case "_count":
				r = roleCount
			case "_bucket":
				r = roleBucket
			}
			return f, r
		}
	}
	return p.family([]byte(name)), rolePlain
}

// sample adds one sample of s to its family.
func (p *Parser) sample(s *series, ts *int64, v float64) error {
	f, r := p.resolve(s.name)
	f.hasSamples = true
	switch f.typ {
	case dto.MetricType_SUMMARY:
		return p.summarySample(f, s, r, ts, v)
	case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
		return p.histogramSample(f, s, r, ts, v)
	}
	if _, dup := f.index[s.key]; dup {
		return nil // a duplicate series: the first one counts
	}
	m := p.slab.metric(s.labels, ts)
	val := p.slab.float(v)
	switch f.typ {
	case dto.MetricType_COUNTER:
		m.Counter = p.slab.counter(val)
	case dto.MetricType_GAUGE:
		m.Gauge = p.slab.gauge(val)
	default:
		m.Untyped = p.slab.untyped(val)
	}
	f.index[s.key] = m
	f.metrics = append(f.metrics, m)
	return nil
}

// groupMetric returns the metric of f that s belongs to once its label
// special (le or quantile) is taken out, and s's grouping.
func (p *Parser) groupMetric(f *family, s *series, special string, ts *int64) (*dto.Metric, *grouping, error) {
	g := p.group(s, special)
	if g.err != nil {
		return nil, nil, fmt.Errorf("expected float as value for '%s' label of %q: %w", special, f.name, g.err)
	}
	m := f.index[g.key]
	if m == nil {
		m = p.slab.metric(g.labels, nil)
		f.index[g.key] = m
		f.metrics = append(f.metrics, m)
	}
	if ts != nil {
		m.TimestampMs = proto.Int64(*ts)
	}
	return m, g, nil
}

// summarySample adds a quantile, _sum or _count line to its summary.
func (p *Parser) summarySample(f *family, s *series, r role, ts *int64, v float64) error {
	m, g, err := p.groupMetric(f, s, model.QuantileLabel, ts)
	if err != nil {
		return err
	}
	if m.Summary == nil {
		m.Summary = &dto.Summary{}
	}
	switch {
	case r == roleCount:
		m.Summary.SampleCount = proto.Uint64(uint64(v))
	case r == roleSum:
		m.Summary.SampleSum = proto.Float64(v)
	case g.bound != nil:
		m.Summary.Quantile = append(m.Summary.Quantile, &dto.Quantile{Quantile: g.bound, Value: p.slab.float(v)})
	}
	return nil
}

// histogramSample adds a bucket, _sum or _count line to its histogram.
func (p *Parser) histogramSample(f *family, s *series, r role, ts *int64, v float64) error {
	m, g, err := p.groupMetric(f, s, model.BucketLabel, ts)
	if err != nil {
		return err
	}
	if m.Histogram == nil {
		m.Histogram = &dto.Histogram{}
	}
	h := m.Histogram
	switch {
	case r == roleCount:
		if u := uint64(v); v == float64(u) {
			h.SampleCount = proto.Uint64(u)
		} else if v < 0 {
			return fmt.Errorf("negative count for histogram %q", f.name)
		} else {
			h.SampleCountFloat = proto.Float64(v)
		}
	case r == roleSum:
		h.SampleSum = proto.Float64(v)
	case g.bound != nil:
		b := &dto.Bucket{UpperBound: g.bound}
		if u := uint64(v); v == float64(u) {
			b.CumulativeCount = proto.Uint64(u)
		} else if v < 0 {
			return fmt.Errorf("negative bucket population for histogram %q", f.name)
		} else {
			b.CumulativeCountFloat = proto.Float64(v)
		}
		h.Bucket = append(h.Bucket, b)
	}
	return nil
}

// finish returns the families of the scrape sorted by name and forgets
// series the scrape did not have.
func (p *Parser) finish() ([]*dto.MetricFamily, int, error) {
	out := make([]*dto.MetricFamily, 0, len(p.order))
	samples := 0
	for _, f := range p.order {
		if len(f.metrics) == 0 {
			continue
		}
		for _, m := range f.metrics {
			samples += sampleCount(m)
			normalizeHistogram(m.Histogram)
		}
		mf := &dto.MetricFamily{Name: proto.String(f.name), Help: f.help, Type: f.typ.Enum(), Metric: f.metrics}
		out = append(out, mf)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].GetName() < out[j].GetName() })
	for k, s := range p.cache {
		if p.seen == len(p.cache) {
			break // the steady state: every cached series was in this scrape
		}
		if s.seen != p.gen {
			delete(p.cache, k)
		}
	}
	for k, f := range p.fams {
		if !f.used {
			delete(p.fams, k)
		}
	}
	p.intern.trim(len(p.cache))
	return out, samples, nil
}

// normalizeHistogram makes the counts of a histogram all integers or, if
// any is not, all floats, as expfmt does.
func normalizeHistogram(h *dto.Histogram) {
	if h == nil {
		return
	}
	floats := h.SampleCountFloat != nil
	for _, b := range h.Bucket {
		floats = floats || b.CumulativeCountFloat != nil
	}
	if !floats {
		return
	}
	if h.SampleCountFloat == nil {
		h.SampleCountFloat, h.SampleCount = proto.Float64(float64(h.GetSampleCount())), nil
	}
	for _, b := range h.Bucket {
		if b.CumulativeCountFloat == nil {
			b.CumulativeCountFloat, b.CumulativeCount = proto.Float64(float64(b.GetCumulativeCount())), nil
		}
	}
}

// dtoType maps a text-format TYPE to the client model's type.
func dtoType(t model.MetricType) dto.MetricType {
	switch t {
	case model.MetricTypeCounter:
		return dto.MetricType_COUNTER
	case model.MetricTypeGauge:
		return dto.MetricType_GAUGE
	case model.MetricTypeHistogram:
		return dto.MetricType_HISTOGRAM
	case model.MetricTypeGaugeHistogram:
		return dto.MetricType_GAUGE_HISTOGRAM
	case model.MetricTypeSummary:
		return dto.MetricType_SUMMARY
	default:
		return dto.MetricType_UNTYPED
	}
}

// parseFloat parses a label value used as a bound (le, quantile).
func parseFloat(s string) (float64, error) {
	if strings.ContainsAny(s, "pP_") { // hex floats and underscores are Go syntax, not the format's
		return 0, fmt.Errorf("invalid float %q", s)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid float %q", s)
	}
	return f, nil
}

// slab allocates the per-scrape values in blocks: one allocation per
// block instead of one per sample. Blocks are never reused, so the
// families of a previous scrape stay valid.
type slab struct {
	metrics  []dto.Metric
	floats   []float64
	counters []dto.Counter
	gauges   []dto.Gauge
	untypeds []dto.Untyped
}

const slabBlock = 256

// take returns a pointer to the next element of *block, starting a new
// block when it is full.
func take[T any](block *[]T) *T {
	if len(*block) == cap(*block) {
		*block = make([]T, 0, slabBlock)
	}
	*block = (*block)[:len(*block)+1]
	return &(*block)[len(*block)-1]
}

func (s *slab) metric(ls []*dto.LabelPair, ts *int64) *dto.Metric {
	m := take(&s.metrics)
	m.Label = ls
	if ts != nil {
		m.TimestampMs = proto.Int64(*ts)
	}
	return m
}

func (s *slab) float(v float64) *float64 {
	f := take(&s.floats)
	*f = v
	return f
}

func (s *slab) counter(v *float64) *dto.Counter {
	c := take(&s.counters)
	c.Value = v
	return c
}

func (s *slab) gauge(v *float64) *dto.Gauge {
	g := take(&s.gauges)
	g.Value = v
	return g
}

func (s *slab) untyped(v *float64) *dto.Untyped {
	u := take(&s.untypeds)
	u.Value = v
	return u
}

// lexable returns body for textparse.NewPromParser, which appends a
// newline to what it is given: a body ending in a newline is given without
// it, so the append rewrites that same byte and body is never changed.
func lexable(body []byte) []byte {
	if n := len(body); n > 0 && body[n-1] == '\n' {
		return body[:n-1]
	}
	return slices.Clip(body)
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

// relabel returns the scraped labels ls (name, value) with the target's
// labels added and sorted by name. A scraped label that clashes with a
// target label is renamed exported_<name>, or exported_exported_<name> if
// that is taken too, and so on, as Prometheus does: nothing is dropped and
// the result does not depend on the order of the labels in the text. The
// pairs are interned: the id="5" of a hundred metrics is one pair.
func (p *Parser) relabel(ls [][2]string) []*dto.LabelPair {
	out := make([]*dto.LabelPair, 0, len(ls)+len(p.extra))
	taken := func(name string) bool {
		return slices.ContainsFunc(out, func(l *dto.LabelPair) bool { return l.GetName() == name }) ||
			slices.ContainsFunc(p.extra, func(l *dto.LabelPair) bool { return l.GetName() == name })
	}
	var clashing [][2]string
	for _, l := range ls {
		if slices.ContainsFunc(p.extra, func(e *dto.LabelPair) bool { return e.GetName() == l[0] }) {
			clashing = append(clashing, l)
			continue
		}
		out = append(out, p.intern.pair(l[0], l[1]))
	}
	// Shorter names first, as Prometheus: job takes exported_job before
	// exported_job looks for a name.
	slices.SortFunc(clashing, func(a, b [2]string) int {
		if d := len(a[0]) - len(b[0]); d != 0 {
			return d
		}
		return strings.Compare(a[0], b[0])
	})
	for _, l := range clashing {
		name := "exported_" + l[0]
		for taken(name) {
			name = "exported_" + name
		}
		out = append(out, p.intern.pair(name, l[1]))
	}
	out = append(out, p.extra...)
	slices.SortFunc(out, func(a, b *dto.LabelPair) int { return strings.Compare(a.GetName(), b.GetName()) })
	return out
}

// interner shares the metric names and label pairs of cached series.
// Interned values are immutable; the tables are dropped when they outgrow
// the cache (series keep what they point to, new series start anew).
type interner struct {
	names map[string]string
	pairs map[[2]string]*dto.LabelPair
}

func (in *interner) reset() {
	in.names = map[string]string{}
	in.pairs = map[[2]string]*dto.LabelPair{}
}

// name returns the interned copy of s.
func (in *interner) name(s string) string {
	if v, ok := in.names[s]; ok {
		return v
	}
	in.names[s] = s
	return s
}

// pair returns the interned pair name=value.
func (in *interner) pair(name, value string) *dto.LabelPair {
	k := [2]string{name, value}
	if l, ok := in.pairs[k]; ok {
		return l
	}
	l := &dto.LabelPair{Name: proto.String(name), Value: proto.String(value)}
	in.pairs[k] = l
	return l
}

// trim drops the tables when they hold more than twice n entries plus a
// margin, so churning series cannot grow them without bound.
func (in *interner) trim(n int) {
	if len(in.names)+len(in.pairs) > 2*n+1024 {
		in.reset()
	}
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
