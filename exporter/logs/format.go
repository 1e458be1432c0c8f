package logs

import (
	"bytes"
	"fmt"
	"strings"
)

// Formats lists the values ParseFormat accepts, for help texts.
const Formats = "auto|alb|clf|json|cloudfront|waf|rules:FILE|rules:NAME"

// ParseFormat returns the Parser for a format name: auto, alb, clf, json,
// rules:FILE (a YAML rule set) or rules:NAME (a shipped rule set, see
// ShippedRuleSets).
func ParseFormat(name string) (Parser, error) {
	switch {
	case name == "" || name == "auto":
		return NewAutoParser()
	case name == "alb":
		return ALBParser{}, nil
	case name == "cloudfront":
		return CloudFrontParser{}, nil
	case name == "waf":
		return WAFParser{}, nil
	case name == "clf" || name == "combined" || name == "common":
		return CLFParser{}, nil
	case name == "json":
		return JSONParser{}, nil
	case strings.HasPrefix(name, "rules:"):
		rs, err := loadRuleSetRef(strings.TrimPrefix(name, "rules:"))
		if err != nil {
			return nil, err
		}
		return rs, nil
	}
	return nil, fmt.Errorf("%w %q: want one of %s", ErrUnknownFormat, name, Formats)
}

// AutoParser recognises each line's format on its own: a JSON object with
// webaclId and httpRequest is an AWS WAF log record, another JSON object a
// voicewatch event, a line starting with a date and a tab (or CloudFront's
// #Version/#Fields header) a CloudFront standard log line, a line starting
// with an ALB type and an RFC 3339 time an ALB entry, an address followed by
// "- ... [" a common/combined access log line; anything else is tried
// against the shipped rule sets.
type AutoParser struct {
	rules []*RuleSet
}

var _ Parser = (*AutoParser)(nil)

// NewAutoParser returns an AutoParser with every shipped rule set.
func NewAutoParser() (*AutoParser, error) {
	a := &AutoParser{}
	for _, n := range ShippedRuleSets() {
		rs, err := LoadShippedRuleSet(n)
		if err != nil {
			return nil, err
		}
		a.rules = append(a.rules, rs)
	}
	return a, nil
}

// Parse implements Parser.
func (a *AutoParser) Parse(line []byte, e *Entry) error {
	switch {
	case hasPrefixJSONObject(line) && looksWAF(line):
		return WAFParser{}.Parse(line, e)
	case hasPrefixJSONObject(line):
		return JSONParser{}.Parse(line, e)
	case looksCloudFront(line):
		return CloudFrontParser{}.Parse(line, e)
	case looksALB(line):
		return ALBParser{}.Parse(line, e)
	case looksCLF(line):
		return CLFParser{}.Parse(line, e)
	}
	for _, rs := range a.rules {
		if err := rs.Parse(line, e); err == nil {
			return nil
		}
	}
	e.reset()
	return fmt.Errorf("auto: no format matches: %w", ErrUnparsable)
}

func looksALB(line []byte) bool {
	i := bytes.IndexByte(line, ' ')
	return i > 0 && i+1 < len(line) && albTypes[string(line[:i])] && line[i+1] >= '0' && line[i+1] <= '9'
}

func looksCLF(line []byte) bool {
	i := bytes.IndexByte(line, ' ')
	if i <= 0 || i > 47 {
		return false
	}
	for _, c := range line[:i] {
		if !isAddrByte(c) {
			return false // cheap rejection before netip's parsers
		}
	}
	if !parseHostPort(line[:i]).IsValid() {
		return false
	}
	return bytes.Contains(line[i:], []byte(" ["))
}

// isAddrByte reports whether c can occur in an IP address or host:port.
func isAddrByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == '.' || c == ':' || c == '[' || c == ']' || c == '%'
}
