package logs

import (
	"bytes"
	"errors"
	"net/netip"

	"github.com/voicewatch/voicewatch/internal/httpguard"
)

// DefaultTrustedProxies are the ranges whose X-Forwarded-For is believed when
// none are configured: the private ranges, where a load balancer inside a VPC
// (the ALB at 10.0.x.x) connects from.
var DefaultTrustedProxies = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("fc00::/7"),
}

// Classifier parses lines and classifies them as legitimate, scanner or
// unparsable with the shared HTTP classifier (internal/httpguard).
type Classifier struct {
	parser  Parser
	trusted []netip.Prefix
	http    *httpguard.Classifier
}

// NewClassifier returns a Classifier for lines in p's format. trusted are the
// proxy ranges whose X-Forwarded-For is believed (nil: DefaultTrustedProxies;
// an empty non-nil slice trusts none). routes is the application's route
// allow-list (nil: every path is served): a request for another path is
// scanner traffic with pattern unknown_route, never a legitimate error.
func NewClassifier(p Parser, trusted []netip.Prefix, routes *httpguard.Routes) *Classifier {
	if trusted == nil {
		trusted = DefaultTrustedProxies
	}
	return &Classifier{parser: p, trusted: trusted, http: httpguard.NewClassifier(routes)}
}

// Classify parses line into e and sets e.Class, e.Pattern and e.ClientIP.
// Requests whose method, target or User-Agent match a scanner signature,
// requests for paths outside the routes, and events the media core already
// logged as scanner traffic, are ClassScanner.
func (c *Classifier) Classify(line []byte, e *Entry) Class {
	if isW3CHeader(line) {
		e.reset()
		e.Class = ClassHeader
		return e.Class
	}
	if err := c.parser.Parse(line, e); err != nil {
		e.Class = ClassUnparsable
		if errors.Is(err, ErrHeaderLine) {
			e.Class = ClassHeader
		}
		return e.Class
	}
	if !e.ClientIP.IsValid() && e.Peer.IsValid() {
		e.ClientIP = httpguard.ClientIP(e.Peer, e.XFF, c.trusted)
	}
	e.Class = ClassLegitimate
	switch e.Kind {
	case KindScanner:
		e.Class = ClassScanner
		if e.Pattern == "" {
			e.Pattern = string(c.http.Classify(e.Method, e.Target, e.UserAgent))
		}
		if e.Pattern == "" {
			e.Pattern = "unknown"
		}
	case KindRequest:
		if e.WAFAction == "BLOCK" {
			e.Class, e.Pattern = ClassScanner, "waf:"+e.WAFRule
			break
		}
		if p := c.http.Classify(e.Method, e.Target, e.UserAgent); p != httpguard.PatternNone {
			e.Class, e.Pattern = ClassScanner, string(p)
		}
	}
	return e.Class
}

// isW3CHeader reports whether line is a header line of the W3C extended
// log format (#Version:, #Fields:, #Date:, #Software:, #Remark:), as
// CloudFront and other servers write them at the top of each file.
func isW3CHeader(line []byte) bool {
	if len(line) < 6 || line[0] != '#' {
		return false
	}
	for _, h := range []string{"#Version:", "#Fields:", "#Date:", "#Software:", "#Remark:"} {
		if bytes.HasPrefix(line, []byte(h)) {
			return true
		}
	}
	return false
}

// ErrorKindOf returns the error kind a legitimate entry counts as, or "" when
// it is not an error: application errors (by their kind), HTTP 5xx
// ("http_5xx"), failed store writes ("store_write_failed") and other lines
// logged at error level ("log_error"). Scanner and unparsable lines are never
// errors.
func (e *Entry) ErrorKindOf() string {
	if e.Class != ClassLegitimate {
		return ""
	}
	switch e.Kind {
	case KindError:
		if e.ErrorKind == "" {
			return "other"
		}
		return e.ErrorKind
	case KindRequest:
		if e.Status >= 500 && e.Status <= 599 {
			return "http_5xx"
		}
	case KindStoreWrite:
		if e.storeFailed() {
			return "store_write_failed"
		}
	case KindInfo:
		if e.Level == LevelError {
			return "log_error"
		}
	}
	return ""
}

func (e *Entry) storeFailed() bool {
	switch e.Result {
	case "", "ok", "success", "succeeded":
		return e.Level == LevelError
	}
	return true
}

// IsWarning reports whether a legitimate entry is a warning (and not an error).
func (e *Entry) IsWarning() bool {
	return e.Class == ClassLegitimate && e.ErrorKindOf() == "" && (e.Kind == KindWarning || e.Level == LevelWarn)
}

// IsWebSocketOpen reports whether a legitimate entry opened a WebSocket
// connection: a websocket_open event or a request answered 101.
func (e *Entry) IsWebSocketOpen() bool {
	return e.Class == ClassLegitimate && (e.Kind == KindWebSocketOpen || (e.Kind == KindRequest && e.Status == 101))
}

// IsRequest reports whether the entry is an HTTP request (of either class).
func (e *Entry) IsRequest() bool { return e.Kind == KindRequest || e.Kind == KindScanner }
