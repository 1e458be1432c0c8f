package logs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// WAFParser parses AWS WAF (v2) logs: one JSON object per line with the
// action taken (ALLOW, BLOCK, COUNT, CAPTCHA, CHALLENGE), the terminating
// rule and the request (client IP, method, URI, arguments, headers). A
// blocked request is scanner traffic whose pattern is the terminating
// rule; an allowed or counted one is classified like any request, so a
// scanner the WAF let through is counted as having reached the service.
type WAFParser struct{}

var _ Parser = WAFParser{}

type wafLogLine struct {
	Timestamp         int64  `json:"timestamp"`
	Action            string `json:"action"`
	TerminatingRuleID string `json:"terminatingRuleId"`
	WebACLID          string `json:"webaclId"`
	HTTPRequest       struct {
		ClientIP   string `json:"clientIp"`
		URI        string `json:"uri"`
		Args       string `json:"args"`
		HTTPMethod string `json:"httpMethod"`
		Headers    []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"headers"`
	} `json:"httpRequest"`
}

// Parse implements Parser.
func (WAFParser) Parse(line []byte, e *Entry) error {
	e.reset()
	var l wafLogLine
	if err := json.Unmarshal(line, &l); err != nil {
		return fmt.Errorf("waf: %w", ErrUnparsable)
	}
	if l.Action == "" || l.WebACLID == "" || l.HTTPRequest.URI == "" {
		return fmt.Errorf("waf: no action, webaclId or httpRequest.uri: %w", ErrUnparsable)
	}
	if l.Timestamp > 0 {
		e.Time = time.UnixMilli(l.Timestamp).UTC()
	}
	if a, err := netip.ParseAddr(l.HTTPRequest.ClientIP); err == nil {
		e.ClientIP = a.Unmap()
		e.Peer = e.ClientIP
	}
	e.Method = l.HTTPRequest.HTTPMethod
	e.Target = l.HTTPRequest.URI
	if l.HTTPRequest.Args != "" {
		e.Target += "?" + l.HTTPRequest.Args
	}
	for _, h := range l.HTTPRequest.Headers {
		if strings.EqualFold(h.Name, "user-agent") {
			e.UserAgent = h.Value
		}
	}
	e.WAFAction = strings.ToUpper(l.Action)
	e.WAFRule = l.TerminatingRuleID
	if e.WAFAction == "BLOCK" {
		e.Status = 403
	}
	e.Kind = KindRequest
	e.Event = "waf." + strings.ToLower(e.WAFAction)
	return nil
}

// looksWAF reports whether a JSON line is an AWS WAF log record.
func looksWAF(line []byte) bool {
	return bytes.Contains(line, []byte(`"webaclId"`)) && bytes.Contains(line, []byte(`"httpRequest"`))
}
