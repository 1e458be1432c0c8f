package logs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// RuleSet is a named, ordered list of regex rules for a foreign log format
// (YAML; see rules/python-voicebot.yaml). The first rule that matches a line
// decides its Entry; a line no rule matches is unparsable.
type RuleSet struct {
	// Name identifies the rule set. Required.
	Name string `yaml:"name"`
	// Description says which program's logs the set is for. Optional.
	Description string `yaml:"description"`
	// TimeLayout is the Go time layout of the `time` group. Default RFC 3339.
	TimeLayout string `yaml:"time_layout"`
	// Rules are tried in order. At least one is required.
	Rules []Rule `yaml:"rules"`
}

// Rule is one regular expression and the kind of entry it emits. Named groups
// fill the entry: time, method, path, status, client_ip (the connecting
// address), xff (X-Forwarded-For), user_agent, kind (error kind), outcome and
// result.
type Rule struct {
	// Name is the rule's unique name; it is the `event` label of matching lines. Required.
	Name string `yaml:"name"`
	// Regex is an RE2 regular expression (Go syntax). Required.
	Regex string `yaml:"regex"`
	// Contains is an optional literal that every matching line contains; lines
	// without it skip the regex (a cheap prefilter). Default: none.
	Contains string `yaml:"contains"`
	// Emit is the entry kind: request, error, warning, session_started,
	// session_completed, session_ended, websocket_open, websocket_close,
	// store_write or info. Required.
	Emit Kind `yaml:"emit"`
	// ErrorKind labels errors (emit: error) unless the regex has a `kind`
	// group. Required for emit: error without a kind group.
	ErrorKind string `yaml:"error_kind"`
	// Level is info, warn or error. Default: warn for emit warning, error for
	// emit error, info otherwise.
	Level string `yaml:"level"`
	// Outcome is the session outcome for emit session_ended unless the regex
	// has an `outcome` group. Default: none.
	Outcome string `yaml:"outcome"`
	// TimeLayout overrides the set's time layout for this rule. Default: the set's.
	TimeLayout string `yaml:"time_layout"`
	// Values turn named groups into histograms or gauges (see
	// ValueCapture). Default: none.
	Values []ValueCapture `yaml:"values"`

	re       *regexp.Regexp
	contains []byte
	first    *[256]bool   // possible first bytes of a match, nil: unknown
	fast     *fastMatcher // one-pass matcher for the regex, nil: use re
	level    Level
	groups   ruleGroups
}

type ruleGroups struct{ time, method, path, status, clientIP, xff, userAgent, kind, outcome, result int }

var emitKinds = []Kind{
	KindRequest, KindError, KindWarning, KindSessionStarted, KindSessionCompleted,
	KindSessionEnded, KindWebSocketOpen, KindWebSocketClose, KindStoreWrite, KindInfo,
}

// LoadRuleSet decodes a YAML rule set strictly (unknown fields are errors),
// applies defaults and compiles and validates every rule. name is used in
// error messages (usually the file name).
func LoadRuleSet(name string, r io.Reader) (*RuleSet, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var rs RuleSet
	if err := dec.Decode(&rs); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty file: %w", name, ErrInvalidRuleSet)
		}
		return nil, fmt.Errorf("%s: %w: %w", name, ErrInvalidRuleSet, err)
	}
	if err := rs.compile(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &rs, nil
}

func (rs *RuleSet) compile() error {
	if rs.Name == "" {
		return fmt.Errorf("%w: `name` is required", ErrInvalidRuleSet)
	}
	if rs.TimeLayout == "" {
		rs.TimeLayout = time.RFC3339Nano
	}
	if len(rs.Rules) == 0 {
		return fmt.Errorf("%w: `rules` is empty: add at least one rule", ErrInvalidRuleSet)
	}
	seen := map[string]bool{}
	for i := range rs.Rules {
		r := &rs.Rules[i]
		if err := r.compile(rs.TimeLayout); err != nil {
			return fmt.Errorf("%w: rule #%d %q: %w", ErrInvalidRuleSet, i+1, r.Name, err)
		}
		if err := r.compileValues(rs.Name); err != nil {
			return fmt.Errorf("%w: rule #%d %q: %w", ErrInvalidRuleSet, i+1, r.Name, err)
		}
		if seen[r.Name] {
			return fmt.Errorf("%w: rule #%d: duplicate name %q", ErrInvalidRuleSet, i+1, r.Name)
		}
		seen[r.Name] = true
	}
	return nil
}

func (r *Rule) compile(setLayout string) error {
	if r.Name == "" {
		return errors.New("`name` is required")
	}
	if r.Regex == "" {
		return errors.New("`regex` is required")
	}
	re, err := regexp.Compile(r.Regex)
	if err != nil {
		return fmt.Errorf("regex does not compile: %w", err)
	}
	r.re = re
	if !slices.Contains(emitKinds, r.Emit) {
		names := make([]string, len(emitKinds))
		for i, k := range emitKinds {
			names[i] = string(k)
		}
		return fmt.Errorf("emit %q is not one of %s", r.Emit, strings.Join(names, ", "))
	}
	g := ruleGroups{
		time: re.SubexpIndex("time"), method: re.SubexpIndex("method"), path: re.SubexpIndex("path"),
		status: re.SubexpIndex("status"), clientIP: re.SubexpIndex("client_ip"), xff: re.SubexpIndex("xff"), userAgent: re.SubexpIndex("user_agent"),
		kind: re.SubexpIndex("kind"), outcome: re.SubexpIndex("outcome"), result: re.SubexpIndex("result"),
	}
	r.groups = g
	if r.Emit == KindRequest && (g.method < 0 || g.path < 0) {
		return errors.New("emit request needs named groups (?P<method>...) and (?P<path>...)")
	}
	if r.Emit == KindError && r.ErrorKind == "" && g.kind < 0 {
		return errors.New("emit error needs `error_kind` or a (?P<kind>...) group")
	}
	switch r.Level {
	case "":
		switch r.Emit {
		case KindWarning:
			r.level = LevelWarn
		case KindError:
			r.level = LevelError
		}
	case "info":
		r.level = LevelInfo
	case "warn":
		r.level = LevelWarn
	case "error":
		r.level = LevelError
	default:
		return fmt.Errorf("level %q is not one of info, warn, error", r.Level)
	}
	if r.TimeLayout == "" {
		r.TimeLayout = setLayout
	}
	if r.Contains != "" {
		r.contains = []byte(r.Contains)
	}
	r.first, _ = firstBytes(r.Regex)
	r.fast = compileFast(r.Regex, re.NumSubexp())
	return nil
}

func (r *Rule) compileValues(set string) error {
	for i := range r.Values {
		if err := r.Values[i].compile(r.re, r.Name, set); err != nil {
			return err
		}
	}
	if len(r.Values) > 0 {
		r.fast = nil // the one-pass matcher reports only the groups it needs
	}
	return nil
}

// Parse implements Parser: the first matching rule fills e.
func (rs *RuleSet) Parse(line []byte, e *Entry) error {
	e.reset()
	for i := range rs.Rules {
		r := &rs.Rules[i]
		if r.first != nil && (len(line) == 0 || !r.first[line[0]]) {
			continue
		}
		if r.contains != nil && !bytes.Contains(line, r.contains) {
			continue
		}
		var m []int
		if r.fast != nil {
			var scratch [32]int
			m = r.fast.match(line, scratch[:0])
		} else {
			m = r.re.FindSubmatchIndex(line)
		}
		if m == nil {
			continue
		}
		r.fill(line, m, e)
		return nil
	}
	return fmt.Errorf("rules %s: no rule matches: %w", rs.Name, ErrUnparsable)
}

func (r *Rule) fill(line []byte, m []int, e *Entry) {
	group := func(i int) []byte {
		if i < 0 || m[2*i] < 0 {
			return nil
		}
		return line[m[2*i]:m[2*i+1]]
	}
	e.Kind, e.Event, e.Level = r.Emit, r.Name, r.level
	e.ErrorKind, e.Outcome = r.ErrorKind, r.Outcome
	if r.Emit != KindError {
		e.ErrorKind = ""
	}
	if v := group(r.groups.time); v != nil {
		var t time.Time
		var err error
		if r.TimeLayout == clfTimeLayout {
			t, err = parseCLFTime(v)
		} else {
			t, err = time.Parse(r.TimeLayout, string(v))
		}
		if err == nil {
			e.Time = t
		}
	}
	e.Method = string(group(r.groups.method))
	if v := group(r.groups.path); v != nil {
		e.Target = string(originForm(v))
	}
	if v := group(r.groups.status); v != nil {
		e.Status, _ = strconv.Atoi(string(v))
	}
	if v := group(r.groups.clientIP); v != nil {
		if a, err := netip.ParseAddr(string(v)); err == nil {
			e.Peer = a.Unmap()
		} else {
			e.Peer = parseHostPort(v)
		}
	}
	if v := group(r.groups.xff); len(v) > 0 && string(v) != "-" {
		e.XFF = string(v)
	}
	if v := group(r.groups.userAgent); len(v) > 0 && string(v) != "-" {
		e.UserAgent = string(v)
	}
	if v := group(r.groups.kind); len(v) > 0 && r.Emit == KindError {
		e.ErrorKind = string(v)
	}
	if v := group(r.groups.outcome); len(v) > 0 {
		e.Outcome = string(v)
	}
	if v := group(r.groups.result); len(v) > 0 {
		e.Result = string(v)
	}
	if e.Kind == KindSessionEnded && e.Outcome == "completed" {
		e.Kind = KindSessionCompleted
	}
	for i := range r.Values {
		if v, ok := r.Values[i].capture(line, m); ok {
			e.Values = append(e.Values, CapturedValue{Def: &r.Values[i], Value: v})
		}
	}
}
