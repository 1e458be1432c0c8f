package logs

import (
	"fmt"
	"time"
)

// ALBParser parses AWS Application Load Balancer access log entries, in the
// documented field order:
//
//	type time elb client:port target:port request_processing_time
//	target_processing_time response_processing_time elb_status_code
//	target_status_code received_bytes sent_bytes "request" "user_agent" ...
//
// Fields after user_agent are optional and ignored. The client field is the
// real client (the balancer terminates the connection), so ClientIP is set
// directly. Status is elb_status_code, what the client received.
type ALBParser struct{}

var _ Parser = ALBParser{}

var albTypes = map[string]bool{"http": true, "https": true, "h2": true, "grpcs": true, "ws": true, "wss": true}

// Parse implements Parser.
func (ALBParser) Parse(line []byte, e *Entry) error {
	e.reset()
	var f [14][]byte
	rest := line
	for i := range f {
		var ok, quoted bool
		f[i], rest, quoted, ok = nextField(rest)
		if !ok {
			return fmt.Errorf("alb: %d fields, want at least 14: %w", i, ErrUnparsable)
		}
		if quoted != (i == 12 || i == 13) {
			return fmt.Errorf("alb: field %d quoting: %w", i+1, ErrUnparsable)
		}
	}
	typ := string(f[0])
	if !albTypes[typ] {
		return fmt.Errorf("alb: unknown type %q: %w", f[0], ErrUnparsable)
	}
	t, err := time.Parse(time.RFC3339Nano, string(f[1]))
	if err != nil {
		return fmt.Errorf("alb: time: %w", ErrUnparsable)
	}
	e.Time = t
	e.ClientIP = parseHostPort(f[3])
	if !e.ClientIP.IsValid() {
		return fmt.Errorf("alb: client %q: %w", f[3], ErrUnparsable)
	}
	e.Peer = e.ClientIP
	e.Status = atoi3(f[8])
	if e.Status == 0 && string(f[8]) != "-" {
		return fmt.Errorf("alb: elb_status_code %q: %w", f[8], ErrUnparsable)
	}
	method, target := splitRequest(f[12])
	e.Method = string(method)
	e.Target = string(originForm(target))
	if ua := f[13]; string(ua) != "-" {
		e.UserAgent = string(ua)
	}
	e.Kind = KindRequest
	e.Event = "alb." + typ
	if (typ == "ws" || typ == "wss") && e.Status == 0 {
		e.Status = 101
	}
	return nil
}
