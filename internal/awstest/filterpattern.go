package awstest

import (
	"encoding/json"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// This file implements CloudWatch Logs filter patterns ("Filter pattern
// syntax for metric filters, subscription filters, filter log events, and
// Live Tail" in the CloudWatch Logs User Guide) for the two syntaxes
// voicewatch's metric filters use:
//
//   - Terms in unstructured log events: every term must occur in the event
//     (case-sensitive); a "quoted term" is matched as one phrase; a term
//     prefixed with ? is an alternative ("?ERROR ?WARN" matches events
//     that contain ERROR or WARN); a term prefixed with - must not occur.
//     An empty pattern matches every event.
//   - JSON log events: { SELECTOR OP VALUE } with $.a.b and $.a[0]
//     selectors; = and != on strings (quoted or not, * as a wildcard) and
//     numbers; <, <=, >, >= on numbers; IS NULL, IS TRUE, IS FALSE,
//     NOT EXISTS; expressions joined with && and ||, grouped with
//     parentheses. A comparison on a property the event does not have does
//     not match; an event that is not JSON matches no JSON pattern.
//
// Space-delimited patterns ([a, b, ...]) are not implemented: MatchFilter
// returns an error for them.

// MatchFilter reports whether the log event message matches pattern.
func MatchFilter(pattern, message string) (bool, error) {
	p := strings.TrimSpace(pattern)
	switch {
	case p == "":
		return true, nil
	case strings.HasPrefix(p, "{"):
		if !strings.HasSuffix(p, "}") {
			return false, fmt.Errorf("filter pattern %q: a JSON pattern ends with }", pattern)
		}
		jp := &jsonPattern{s: p[1 : len(p)-1]}
		expr, err := jp.or()
		if err == nil {
			jp.skip()
			if jp.i < len(jp.s) {
				err = fmt.Errorf("unexpected %q", jp.s[jp.i:])
			}
		}
		if err != nil {
			return false, fmt.Errorf("filter pattern %q: %w", pattern, err)
		}
		var ev any
		if json.Unmarshal([]byte(message), &ev) != nil {
			return false, nil
		}
		return expr(ev), nil
	case strings.HasPrefix(p, "["):
		return false, fmt.Errorf("filter pattern %q: space-delimited patterns are not implemented", pattern)
	}
	return matchTermPattern(p, message)
}

// matchTermPattern matches the term syntax.
func matchTermPattern(p, msg string) (bool, error) {
	var all, anyOf, none []string
	for p != "" {
		prefix := byte(0)
		if p[0] == '?' || p[0] == '-' {
			prefix, p = p[0], p[1:]
		}
		var term string
		if strings.HasPrefix(p, `"`) {
			end := strings.IndexByte(p[1:], '"')
			if end < 0 {
				return false, fmt.Errorf("filter pattern: unterminated quoted term in %q", p)
			}
			term, p = p[1:end+1], p[end+2:]
		} else {
			term, p, _ = strings.Cut(p, " ")
		}
		p = strings.TrimSpace(p)
		switch prefix {
		case '?':
			anyOf = append(anyOf, term)
		case '-':
			none = append(none, term)
		default:
			all = append(all, term)
		}
	}
	for _, t := range all {
		if !strings.Contains(msg, t) {
			return false, nil
		}
	}
	for _, t := range none {
		if strings.Contains(msg, t) {
			return false, nil
		}
	}
	if len(anyOf) == 0 {
		return true, nil
	}
	for _, t := range anyOf {
		if strings.Contains(msg, t) {
			return true, nil
		}
	}
	return false, nil
}

// jsonPattern parses the inside of { ... } into a predicate.
type jsonPattern struct {
	s string
	i int
}

type pred func(ev any) bool

func (p *jsonPattern) skip() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *jsonPattern) eat(tok string) bool {
	p.skip()
	if strings.HasPrefix(p.s[p.i:], tok) {
		p.i += len(tok)
		return true
	}
	return false
}

func (p *jsonPattern) or() (pred, error) {
	l, err := p.and()
	for err == nil && p.eat("||") {
		var r pred
		if r, err = p.and(); err == nil {
			a, b := l, r
			l = func(ev any) bool { return a(ev) || b(ev) }
		}
	}
	return l, err
}

func (p *jsonPattern) and() (pred, error) {
	l, err := p.term()
	for err == nil && p.eat("&&") {
		var r pred
		if r, err = p.term(); err == nil {
			a, b := l, r
			l = func(ev any) bool { return a(ev) && b(ev) }
		}
	}
	return l, err
}

func (p *jsonPattern) term() (pred, error) {
	if p.eat("(") {
		e, err := p.or()
		if err == nil && !p.eat(")") {
			err = fmt.Errorf("missing ) at %q", p.s[p.i:])
		}
		return e, err
	}
	p.skip()
	if !strings.HasPrefix(p.s[p.i:], "$") {
		return nil, fmt.Errorf("a selector starting with $ expected at %q", p.s[p.i:])
	}
	j := p.i
	for j < len(p.s) && !strings.ContainsRune(" \t=!<>)", rune(p.s[j])) {
		j++
	}
	sel := p.s[p.i:j]
	p.i = j
	switch {
	case p.eat("IS NULL"):
		return func(ev any) bool { v, ok := lookup(ev, sel); return ok && v == nil }, nil
	case p.eat("NOT EXISTS"):
		return func(ev any) bool { _, ok := lookup(ev, sel); return !ok }, nil
	case p.eat("IS TRUE"):
		return func(ev any) bool { v, ok := lookup(ev, sel); return ok && v == true }, nil
	case p.eat("IS FALSE"):
		return func(ev any) bool { v, ok := lookup(ev, sel); return ok && v == false }, nil
	}
	var op string
	for _, o := range []string{"!=", "<=", ">=", "=", "<", ">"} {
		if p.eat(o) {
			op = o
			break
		}
	}
	if op == "" {
		return nil, fmt.Errorf("a comparison expected after %s", sel)
	}
	p.skip()
	var val string
	quoted := strings.HasPrefix(p.s[p.i:], `"`)
	if quoted {
		end := strings.IndexByte(p.s[p.i+1:], '"')
		if end < 0 {
			return nil, fmt.Errorf("unterminated string at %q", p.s[p.i:])
		}
		val, p.i = p.s[p.i+1:p.i+1+end], p.i+end+2
	} else {
		j := p.i
		for j < len(p.s) && !strings.ContainsRune(" \t)&|", rune(p.s[j])) {
			j++
		}
		val, p.i = p.s[p.i:j], j
	}
	num, numErr := strconv.ParseFloat(val, 64)
	isNum := !quoted && numErr == nil
	if op != "=" && op != "!=" && !isNum {
		return nil, fmt.Errorf("%s %s needs a number, got %q", sel, op, val)
	}
	return func(ev any) bool {
		v, ok := lookup(ev, sel)
		if !ok {
			return false
		}
		if f, isF := v.(float64); isF && isNum {
			switch op {
			case "=":
				return f == num
			case "!=":
				return f != num
			case "<":
				return f < num
			case "<=":
				return f <= num
			case ">":
				return f > num
			case ">=":
				return f >= num
			}
		}
		s, isS := v.(string)
		if !isS {
			if f, isF := v.(float64); isF {
				s = strconv.FormatFloat(f, 'f', -1, 64)
			} else {
				return false
			}
		}
		eq, _ := path.Match(val, s) // * is the wildcard
		if !strings.ContainsAny(val, "*") {
			eq = val == s
		}
		switch op {
		case "=":
			return eq
		case "!=":
			return !eq
		}
		return false
	}, nil
}

// lookup resolves $.a.b[0].c in ev.
func lookup(ev any, sel string) (any, bool) {
	rest := strings.TrimPrefix(sel, "$")
	cur := ev
	for rest != "" {
		switch {
		case strings.HasPrefix(rest, "."):
			rest = rest[1:]
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = m[rest[:end]]; !ok {
				return nil, false
			}
			rest = rest[end:]
		case strings.HasPrefix(rest, "["):
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, false
			}
			idx, err := strconv.Atoi(rest[1:end])
			arr, ok := cur.([]any)
			if err != nil || !ok || idx < 0 || idx >= len(arr) {
				return nil, false
			}
			cur, rest = arr[idx], rest[end+1:]
		default:
			return nil, false
		}
	}
	return cur, true
}
