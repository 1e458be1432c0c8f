package dynamotest

import (
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"unicode"
)

// A condition expression (the DynamoDB grammar, restricted to top-level
// attributes): comparisons (= <> < <= > >=) between paths and :values,
// attribute_exists(path), attribute_not_exists(path), AND, OR, NOT and
// parentheses, with NOT > AND > OR precedence.

type cond interface {
	eval(item map[string]json.RawMessage) bool
}

type andCond struct{ l, r cond }
type orCond struct{ l, r cond }
type notCond struct{ c cond }
type existsCond struct {
	attr string
	want bool
}
type cmpCond struct {
	op   string
	l, r operand
}

// operand is an attribute path or a literal :value.
type operand struct {
	attr string
	val  json.RawMessage
}

func (c andCond) eval(it map[string]json.RawMessage) bool { return c.l.eval(it) && c.r.eval(it) }
func (c orCond) eval(it map[string]json.RawMessage) bool  { return c.l.eval(it) || c.r.eval(it) }
func (c notCond) eval(it map[string]json.RawMessage) bool { return !c.c.eval(it) }
func (c existsCond) eval(it map[string]json.RawMessage) bool {
	_, ok := it[c.attr]
	return ok == c.want
}

func (o operand) value(it map[string]json.RawMessage) (json.RawMessage, bool) {
	if o.attr == "" {
		return o.val, true
	}
	v, ok := it[o.attr]
	return v, ok
}

// eval compares like DynamoDB: a missing attribute or values of different
// types make the comparison false; N compares numerically, S and B
// byte-wise.
func (c cmpCond) eval(it map[string]json.RawMessage) bool {
	lv, ok1 := c.l.value(it)
	rv, ok2 := c.r.value(it)
	if !ok1 || !ok2 {
		return false
	}
	lt, ls := scalar(lv)
	rt, rs := scalar(rv)
	if lt == "" || lt != rt {
		return c.op == "<>" && lt != rt && lt != "" && rt != ""
	}
	var cmp int
	switch lt {
	case "N":
		a, _, err1 := big.ParseFloat(ls, 10, 128, big.ToNearestEven)
		b, _, err2 := big.ParseFloat(rs, 10, 128, big.ToNearestEven)
		if err1 != nil || err2 != nil {
			return false
		}
		cmp = a.Cmp(b)
	case "S", "B":
		cmp = strings.Compare(ls, rs)
	default: // BOOL, NULL: only equality
		cmp = strings.Compare(ls, rs)
		if c.op != "=" && c.op != "<>" {
			return false
		}
	}
	switch c.op {
	case "=":
		return cmp == 0
	case "<>":
		return cmp != 0
	case "<":
		return cmp < 0
	case "<=":
		return cmp <= 0
	case ">":
		return cmp > 0
	}
	return cmp >= 0
}

// scalar returns the type and the value of a scalar attribute value.
func scalar(raw json.RawMessage) (typ, val string) {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil || len(m) != 1 {
		return "", ""
	}
	for k, v := range m {
		switch k {
		case "S", "N", "B":
			s, _ := v.(string)
			return k, s
		case "BOOL", "NULL":
			return k, fmt.Sprint(v)
		}
	}
	return "", ""
}

// parser is a recursive-descent parser over the expression's tokens.
type parser struct {
	toks   []string
	pos    int
	names  map[string]string
	values map[string]json.RawMessage
	usedN  map[string]bool
	usedV  map[string]bool
}

// parseCondition parses expr and checks the substitutions the way the
// service does: every #name and :value used must be defined, and every one
// defined must be used.
func parseCondition(expr string, names map[string]string, values map[string]json.RawMessage) (cond, *apiError) {
	toks, err := tokenize(expr)
	if err != nil {
		return nil, validation("Invalid ConditionExpression: " + err.Error())
	}
	p := &parser{toks: toks, names: names, values: values, usedN: map[string]bool{}, usedV: map[string]bool{}}
	c, err := p.or()
	if err == nil && p.pos < len(p.toks) {
		err = fmt.Errorf("syntax error; token: %q", p.toks[p.pos])
	}
	if err != nil {
		return nil, validation("Invalid ConditionExpression: " + err.Error())
	}
	if unused := unusedKeys(names, p.usedN); unused != "" {
		return nil, validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {" + unused + "}")
	}
	if unused := unusedKeys(values, p.usedV); unused != "" {
		return nil, validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {" + unused + "}")
	}
	return c, nil
}

func unusedKeys[V any](m map[string]V, used map[string]bool) string {
	var out []string
	for k := range m {
		if !used[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func tokenize(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		c := rune(s[i])
		switch {
		case unicode.IsSpace(c):
			i++
		case strings.ContainsRune("(),", c):
			toks = append(toks, string(c))
			i++
		case c == '<' || c == '>' || c == '=':
			if i+1 < len(s) && (s[i:i+2] == "<=" || s[i:i+2] == ">=" || s[i:i+2] == "<>") {
				toks = append(toks, s[i:i+2])
				i += 2
			} else {
				toks = append(toks, string(c))
				i++
			}
		case c == '#' || c == ':' || c == '_' || unicode.IsLetter(c):
			j := i + 1
			for j < len(s) && (s[j] == '_' || unicode.IsLetter(rune(s[j])) || unicode.IsDigit(rune(s[j]))) {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		default:
			return nil, fmt.Errorf("invalid character %q", c)
		}
	}
	return toks, nil
}

func (p *parser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *parser) next() string {
	t := p.peek()
	p.pos++
	return t
}

func (p *parser) expect(t string) error {
	if got := p.next(); got != t {
		return fmt.Errorf("syntax error; expected %q, got %q", t, got)
	}
	return nil
}

func (p *parser) or() (cond, error) {
	l, err := p.and()
	for err == nil && strings.EqualFold(p.peek(), "OR") {
		p.next()
		var r cond
		r, err = p.and()
		l = orCond{l, r}
	}
	return l, err
}

func (p *parser) and() (cond, error) {
	l, err := p.not()
	for err == nil && strings.EqualFold(p.peek(), "AND") {
		p.next()
		var r cond
		r, err = p.not()
		l = andCond{l, r}
	}
	return l, err
}

func (p *parser) not() (cond, error) {
	if strings.EqualFold(p.peek(), "NOT") {
		p.next()
		c, err := p.not()
		return notCond{c}, err
	}
	return p.primary()
}

func (p *parser) primary() (cond, error) {
	switch t := p.peek(); {
	case t == "(":
		p.next()
		c, err := p.or()
		if err != nil {
			return nil, err
		}
		return c, p.expect(")")
	case t == "attribute_exists" || t == "attribute_not_exists":
		p.next()
		if err := p.expect("("); err != nil {
			return nil, err
		}
		attr, err := p.path()
		if err != nil {
			return nil, err
		}
		return existsCond{attr: attr, want: t == "attribute_exists"}, p.expect(")")
	}
	l, err := p.operand()
	if err != nil {
		return nil, err
	}
	op := p.next()
	switch op {
	case "=", "<>", "<", "<=", ">", ">=":
	default:
		return nil, fmt.Errorf("syntax error; expected a comparator, got %q", op)
	}
	r, err := p.operand()
	return cmpCond{op: op, l: l, r: r}, err
}

func (p *parser) operand() (operand, error) {
	if strings.HasPrefix(p.peek(), ":") {
		t := p.next()
		v, ok := p.values[t]
		if !ok {
			return operand{}, fmt.Errorf("An expression attribute value used in expression is not defined; attribute value: %s", t)
		}
		p.usedV[t] = true
		return operand{val: v}, nil
	}
	attr, err := p.path()
	return operand{attr: attr}, err
}

func (p *parser) path() (string, error) {
	t := p.next()
	switch {
	case strings.HasPrefix(t, "#"):
		name, ok := p.names[t]
		if !ok {
			return "", fmt.Errorf("An expression attribute name used in the document path is not defined; attribute name: %s", t)
		}
		p.usedN[t] = true
		return name, nil
	case t == "" || strings.HasPrefix(t, ":") || strings.ContainsAny(t, "(),<>="):
		return "", fmt.Errorf("syntax error; expected an attribute, got %q", t)
	}
	return t, nil
}
