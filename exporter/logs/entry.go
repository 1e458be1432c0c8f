package logs

import (
	"net/netip"
	"time"
)

// Class is the classification of one log line.
type Class uint8

// The three classes every line falls into, and the header lines of
// formats that have them (CloudFront's #Version and #Fields), which are
// neither counted nor reported.
const (
	ClassUnparsable Class = iota
	ClassLegitimate
	ClassScanner
	ClassHeader
)

// String returns the class's metric label value.
func (c Class) String() string {
	switch c {
	case ClassLegitimate:
		return "legitimate"
	case ClassScanner:
		return "scanner"
	case ClassHeader:
		return "header"
	default:
		return "unparsable"
	}
}

// Kind is what a parsed line reports. Rule sets name it in `emit`.
type Kind string

// Kinds of entries. A line has exactly one kind.
const (
	KindRequest          Kind = "request"           // an HTTP request (method, path, status)
	KindError            Kind = "error"             // an application error (ErrorKind says which)
	KindWarning          Kind = "warning"           // a warning
	KindSessionStarted   Kind = "session_started"   // a voice session was created
	KindSessionCompleted Kind = "session_completed" // a session ended with outcome completed
	KindSessionEnded     Kind = "session_ended"     // a session ended otherwise (Outcome says how)
	KindWebSocketOpen    Kind = "websocket_open"    // a WebSocket connection was opened
	KindWebSocketClose   Kind = "websocket_close"   // a WebSocket connection was closed
	KindStoreWrite       Kind = "store_write"       // session state was saved (Result says how)
	KindScanner          Kind = "scanner"           // a request already classified as scanner (Pattern)
	KindInfo             Kind = "info"              // any other recognised line
)

// Level is a line's severity where the format has one.
type Level uint8

// Levels.
const (
	LevelInfo Level = iota
	LevelWarn
	LevelError
)

// Entry is one parsed log line. Parsers fill it (its strings are copies, so
// it outlives the line's buffer); Classify completes Class, Pattern and
// ClientIP.
type Entry struct {
	Time      time.Time       // zero when the line has no timestamp
	Kind      Kind            // what the line reports
	Event     string          // voicewatch event name or rule name, for the events metric
	Level     Level           // severity
	Method    string          // HTTP method (requests)
	Target    string          // request target in origin form: /path?query (requests)
	Status    int             // HTTP status, 0 when unknown
	Peer      netip.Addr      // the address that connected (may be a load balancer)
	XFF       string          // X-Forwarded-For header value, when logged
	UserAgent string          // User-Agent header value, when logged (requests)
	WAFAction string          // for AWS WAF logs: ALLOW, BLOCK, COUNT, ...
	WAFRule   string          // for AWS WAF logs: the terminating rule (Default_Action when none)
	ClientIP  netip.Addr      // the real client: set by the parser or derived by Classify
	ErrorKind string          // for KindError: a bounded kind such as tts_policy_violation
	Outcome   string          // for sessions: completed, abandoned, failed, rejected
	Result    string          // for store writes: ok, error, ...
	Pattern   string          // for scanner traffic: the httpguard pattern
	Values    []CapturedValue // numbers captured by rule set value captures
	Class     Class           // set by Classify
}

// reset clears e for reuse.
func (e *Entry) reset() { *e = Entry{} }
