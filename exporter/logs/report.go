package logs

import (
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"math"
	"net/netip"
	"slices"
	"time"
)

// Report is the summary of a set of log lines: the incident report's
// "filtered logs" and "malicious traffic" analysis. Its JSON form is the
// output of `agent logs report --json`.
type Report struct {
	Sources    []string   `json:"sources"`
	Format     string     `json:"format"`
	Since      string     `json:"since,omitempty"` // the --since window, empty for all lines
	From       *time.Time `json:"from,omitempty"`  // oldest line counted
	To         *time.Time `json:"to,omitempty"`    // newest line counted
	Lines      int        `json:"lines"`           // non-empty lines counted (legitimate+scanner+unparsable)
	Unparsable int        `json:"unparsable"`
	// HeaderLines are format header lines (CloudFront's #Version and
	// #Fields), not counted in Lines.
	HeaderLines int `json:"header_lines,omitempty"`
	// SuggestedFormat is a format that parses most of the unparsable
	// lines, when one does ("" otherwise).
	SuggestedFormat string          `json:"suggested_format,omitempty"`
	LongLines       uint64          `json:"long_lines_skipped"` // lines over the length limit, not counted in lines
	Legitimate      LegitimateStats `json:"legitimate"`
	Scanner         ScannerStats    `json:"scanner"`
	Sessions        SessionStats    `json:"sessions"`
	WebSockets      int             `json:"websocket_connections"`
	Warnings        int             `json:"warnings"`
	Store           StoreStats      `json:"store_writes"`
	PerMinute       RateStats       `json:"requests_per_minute"`
	// Values summarises the numbers rule-set value captures took from the
	// lines (e.g. voicebot_ice_gathering_seconds), by metric name.
	Values []ValueStats `json:"values,omitempty"`
	// WAF summarises AWS WAF log records, when the input has any.
	WAF *WAFStats `json:"waf,omitempty"`
	// Notes are hints about the input a person should act on, such as a
	// load balancer mistaken for scanner clients.
	Notes []string `json:"notes,omitempty"`
}

// ValueStats summarises one captured metric over the report's lines, in
// its base unit (seconds, bytes, ratio).
type ValueStats struct {
	Metric string  `json:"metric"`
	Count  int     `json:"count"`
	Min    float64 `json:"min"`
	P50    float64 `json:"p50"`
	P95    float64 `json:"p95"`
	Max    float64 `json:"max"`
}

// WAFStats counts AWS WAF log records: what the edge did.
type WAFStats struct {
	Requests      int            `json:"requests"`
	ByAction      map[string]int `json:"by_action"`       // ALLOW, BLOCK, COUNT ...
	BlockedByRule map[string]int `json:"blocked_by_rule"` // terminating rule of blocked requests
	// ScannersAllowed are requests the WAF let through that the guard's
	// signatures flag: scanner traffic that reached the service.
	ScannersAllowed int `json:"scanners_allowed"`
}

// LegitimateStats counts legitimate lines.
type LegitimateStats struct {
	Lines        int            `json:"lines"`
	Requests     int            `json:"requests"`
	ByStatus     map[string]int `json:"requests_by_status_class"` // 1xx..5xx
	Errors       int            `json:"errors"`                   // 5xx and application errors
	ErrorsByKind map[string]int `json:"errors_by_kind"`
}

// ScannerStats counts scanner requests.
type ScannerStats struct {
	Total     int            `json:"total"`
	ByPattern map[string]int `json:"by_pattern"`
	// ByClientIP is keyed by the real client (X-Forwarded-For behind a trusted
	// proxy, the ALB client field), limited to the top N addresses; the rest
	// are summed under "other".
	ByClientIP map[string]int `json:"by_client_ip"`
}

// SessionStats counts voice sessions.
type SessionStats struct {
	Started        int            `json:"started"`
	Completed      int            `json:"completed"`
	Ended          int            `json:"ended"`           // completed plus ended otherwise
	CompletionRate float64        `json:"completion_rate"` // completed/ended (the SLO's ratio), 0 when none ended
	EndedOtherwise map[string]int `json:"ended_otherwise"` // by outcome: abandoned, failed, ...
}

// StoreStats counts session state writes.
type StoreStats struct {
	Total  int `json:"total"`
	Failed int `json:"failed"`
}

// RateStats is the request rate (both classes) per minute.
type RateStats struct {
	Average    float64       `json:"average"` // over the minutes from the first to the last request
	Peak       int           `json:"peak"`
	PeakMinute *time.Time    `json:"peak_minute,omitempty"`
	Series     []MinuteCount `json:"series"` // minutes with at least one request, in order
}

// MinuteCount is the number of requests in one minute.
type MinuteCount struct {
	Minute     time.Time `json:"minute"`
	Legitimate int       `json:"legitimate"`
	Scanner    int       `json:"scanner"`
}

// record is the part of a classified line a Report needs, kept until all
// sources are read so that --since can be applied relative to the newest line.
type record struct {
	t        time.Time
	class    Class
	request  bool
	status   int
	errKind  string
	pattern  string
	client   netip.Addr
	kind     Kind
	outcome  string
	ws, warn bool
	failed   bool
	waf      string // WAF action, "" for other formats
	wafRule  string
	values   []CapturedValue
}

// recorder keeps the records of classified lines for a Report.
type recorder struct {
	recs    []record
	strs    map[string]string
	last    time.Time // newest timestamp of the current source
	untimed []int     // records of the current source before its first timestamp
	long    uint64
	headers int
	samples [][]byte // the first unparsable lines, for SuggestFormat
}

// maxSamples is how many unparsable lines a report keeps to suggest a format.
const maxSamples = 20

// sample keeps a copy of an unparsable line.
func (rr *recorder) sample(line []byte) {
	if len(rr.samples) < maxSamples {
		rr.samples = append(rr.samples, bytes.Clone(line))
	}
}

// startSource resets the per-source timestamp inheritance.
func (rr *recorder) startSource() {
	rr.last = time.Time{}
	rr.untimed = rr.untimed[:0]
}

// add records e. A line without a timestamp takes fallback (e.g. the
// CloudWatch event time) or else the time of the line before it in the same
// source; lines before the source's first timestamp take that first timestamp.
func (rr *recorder) add(e *Entry, fallback time.Time) {
	if e.Class == ClassHeader {
		rr.headers++
		return
	}
	t := e.Time
	if t.IsZero() {
		t = fallback
	}
	if t.IsZero() {
		t = rr.last
	} else {
		rr.last = t
		for _, i := range rr.untimed {
			rr.recs[i].t = t
		}
		rr.untimed = rr.untimed[:0]
	}
	if t.IsZero() {
		rr.untimed = append(rr.untimed, len(rr.recs))
	}
	rr.recs = append(rr.recs, record{
		t: t, class: e.Class, request: e.IsRequest(), status: e.Status,
		errKind: rr.intern(e.ErrorKindOf()), pattern: rr.intern(e.Pattern), client: e.ClientIP,
		kind: e.Kind, outcome: rr.intern(e.Outcome), ws: e.IsWebSocketOpen(), warn: e.IsWarning(),
		failed: e.Kind == KindStoreWrite && e.storeFailed(),
		waf:    rr.intern(e.WAFAction), wafRule: rr.intern(e.WAFRule), values: e.Values,
	})
}

// intern keeps one copy of the few distinct label-like strings.
func (rr *recorder) intern(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := rr.strs[s]; ok {
		return v
	}
	if rr.strs == nil {
		rr.strs = map[string]string{}
	}
	if len(rr.strs) < 10000 {
		rr.strs[s] = s
	}
	return s
}

// buildReport aggregates recs (all sources) into r. since > 0 keeps only the
// records within since of the newest timestamp; topN bounds ByClientIP.
func buildReport(r *Report, recs []record, since time.Duration, topN int) {
	var newest time.Time
	for _, rc := range recs {
		if rc.t.After(newest) {
			newest = rc.t
		}
	}
	r.Legitimate.ByStatus = map[string]int{}
	r.Legitimate.ErrorsByKind = map[string]int{}
	r.Scanner.ByPattern = map[string]int{}
	r.Sessions.EndedOtherwise = map[string]int{}
	clients := map[netip.Addr]int{}
	values := map[string][]float64{}
	minutes := map[time.Time]*MinuteCount{}
	var from, to time.Time
	for _, rc := range recs {
		if since > 0 && !newest.IsZero() && rc.t.Before(newest.Add(-since)) {
			continue
		}
		r.Lines++
		if !rc.t.IsZero() {
			if from.IsZero() || rc.t.Before(from) {
				from = rc.t
			}
			if rc.t.After(to) {
				to = rc.t
			}
		}
		if rc.request && !rc.t.IsZero() && rc.class != ClassUnparsable {
			m := rc.t.UTC().Truncate(time.Minute)
			mc := minutes[m]
			if mc == nil {
				mc = &MinuteCount{Minute: m}
				minutes[m] = mc
			}
			if rc.class == ClassScanner {
				mc.Scanner++
			} else {
				mc.Legitimate++
			}
		}
		if rc.waf != "" {
			if r.WAF == nil {
				r.WAF = &WAFStats{ByAction: map[string]int{}, BlockedByRule: map[string]int{}}
			}
			r.WAF.Requests++
			r.WAF.ByAction[rc.waf]++
			switch {
			case rc.waf == "BLOCK":
				r.WAF.BlockedByRule[rc.wafRule]++
			case rc.class == ClassScanner:
				r.WAF.ScannersAllowed++
			}
		}
		switch rc.class {
		case ClassUnparsable:
			r.Unparsable++
		case ClassScanner:
			r.Scanner.Total++
			r.Scanner.ByPattern[rc.pattern]++
			clients[rc.client]++
		case ClassLegitimate:
			r.Legitimate.Lines++
			r.addLegitimate(rc)
			for _, v := range rc.values {
				values[v.Def.Metric] = append(values[v.Def.Metric], v.Value)
			}
		}
	}
	// Completion is completed/ended, as the SLO counts it, in every
	// window: a window's sessions that started but have not ended yet are
	// neither completed nor failed, and one that started before the window
	// and failed in it still counts.
	r.Sessions.Ended = r.Sessions.Completed
	for _, n := range r.Sessions.EndedOtherwise {
		r.Sessions.Ended += n
	}
	if r.Sessions.Ended > 0 {
		r.Sessions.CompletionRate = float64(r.Sessions.Completed) / float64(r.Sessions.Ended)
	}
	r.Notes = append(r.Notes, privateScannerNote(clients, r.Scanner.Total)...)
	if !from.IsZero() {
		f, t := from.UTC(), to.UTC()
		r.From, r.To = &f, &t
	}
	r.Scanner.ByClientIP = topClients(clients, topN)
	r.Values = valueStats(values)
	r.PerMinute = rates(minutes)
}

func (r *Report) addLegitimate(rc record) {
	if rc.errKind != "" {
		r.Legitimate.Errors++
		r.Legitimate.ErrorsByKind[rc.errKind]++
	}
	if rc.kind == KindRequest {
		r.Legitimate.Requests++
		if rc.status >= 100 && rc.status <= 599 {
			r.Legitimate.ByStatus[string(rune('0'+rc.status/100))+"xx"]++
		}
	}
	if rc.ws {
		r.WebSockets++
	}
	if rc.warn {
		r.Warnings++
	}
	switch rc.kind {
	case KindSessionStarted:
		r.Sessions.Started++
	case KindSessionCompleted:
		r.Sessions.Completed++
	case KindSessionEnded:
		o := rc.outcome
		if o == "" {
			o = "unknown"
		}
		r.Sessions.EndedOtherwise[o]++
	case KindStoreWrite:
		r.Store.Total++
		if rc.failed {
			r.Store.Failed++
		}
	}
}

// valueStats summarises captured values by metric, sorted by name.
// Percentiles are nearest-rank.
func valueStats(values map[string][]float64) []ValueStats {
	var out []ValueStats
	for _, name := range slices.Sorted(maps.Keys(values)) {
		vs := slices.Sorted(slices.Values(values[name]))
		rank := func(p float64) float64 {
			i := int(math.Ceil(p*float64(len(vs)))) - 1
			return vs[max(i, 0)]
		}
		out = append(out, ValueStats{Metric: name, Count: len(vs), Min: vs[0], P50: rank(0.5), P95: rank(0.95), Max: vs[len(vs)-1]})
	}
	return out
}

// privateScannerNote warns when most scanner requests come from private,
// loopback or link-local addresses: almost always a load balancer or proxy
// whose X-Forwarded-For was not believed, so every scanner looks like the
// balancer itself (the incident's original mistake).
func privateScannerNote(clients map[netip.Addr]int, total int) []string {
	if total < 10 {
		return nil
	}
	private, addrs := 0, 0
	for a, n := range clients {
		if a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() {
			private += n
			addrs++
		}
	}
	if 2*private <= total {
		return nil
	}
	return []string{fmt.Sprintf("%d of %d scanner requests come from %d private addresses: that is a load balancer or proxy, not the "+
		"scanners. Pass its range with --trusted-proxies (e.g. the VPC CIDR 10.0.0.0/16) so X-Forwarded-For names the real clients; "+
		"ALB access logs carry the real client themselves.", private, total, addrs)}
}

// topClients keeps the n busiest client addresses (0 = all); the rest are
// summed under "other". Lines without an address count as "unknown".
func topClients(m map[netip.Addr]int, n int) map[string]int {
	type kv struct {
		a netip.Addr
		n int
	}
	all := make([]kv, 0, len(m))
	for a, c := range m {
		all = append(all, kv{a, c})
	}
	slices.SortFunc(all, func(x, y kv) int {
		if c := cmp.Compare(y.n, x.n); c != 0 {
			return c
		}
		return x.a.Compare(y.a)
	})
	out := map[string]int{}
	for i, e := range all {
		key := "unknown"
		if e.a.IsValid() {
			key = e.a.String()
		}
		if n > 0 && i >= n {
			key = "other"
		}
		out[key] += e.n
	}
	return out
}

func rates(minutes map[time.Time]*MinuteCount) RateStats {
	rs := RateStats{Series: []MinuteCount{}}
	total := 0
	for _, mc := range minutes {
		rs.Series = append(rs.Series, *mc)
	}
	slices.SortFunc(rs.Series, func(a, b MinuteCount) int { return a.Minute.Compare(b.Minute) })
	for _, mc := range rs.Series {
		n := mc.Legitimate + mc.Scanner
		total += n
		if n > rs.Peak {
			rs.Peak = n
			m := mc.Minute
			rs.PeakMinute = &m
		}
	}
	if len(rs.Series) > 0 {
		span := rs.Series[len(rs.Series)-1].Minute.Sub(rs.Series[0].Minute)/time.Minute + 1
		rs.Average = float64(total) / float64(span)
	}
	return rs
}
