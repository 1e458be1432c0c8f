package logs

import (
	"bytes"
	"fmt"
)

// clfTimeLayout is the timestamp layout of common/combined access logs.
const clfTimeLayout = "02/Jan/2006:15:04:05 -0700"

// CLFParser parses NCSA common and combined access logs:
//
//	host ident authuser [date] "request" status bytes ["referer" "user_agent" ["x_forwarded_for"]]
//
// A third quoted field after the user agent is read as X-Forwarded-For (nginx's
// default "main" format), so the real client can be derived behind a proxy.
type CLFParser struct{}

var _ Parser = CLFParser{}

// Parse implements Parser.
func (CLFParser) Parse(line []byte, e *Entry) error {
	e.reset()
	host, rest, _, ok := nextField(line)
	if !ok {
		return fmt.Errorf("clf: empty: %w", ErrUnparsable)
	}
	e.Peer = parseHostPort(host)
	if !e.Peer.IsValid() {
		return fmt.Errorf("clf: host %q: %w", host, ErrUnparsable)
	}
	for range 2 { // ident, authuser
		if _, rest, _, ok = nextField(rest); !ok {
			return fmt.Errorf("clf: short line: %w", ErrUnparsable)
		}
	}
	rest = bytes.TrimLeft(rest, " ")
	if len(rest) == 0 || rest[0] != '[' {
		return fmt.Errorf("clf: no [date]: %w", ErrUnparsable)
	}
	end := bytes.IndexByte(rest, ']')
	if end < 0 {
		return fmt.Errorf("clf: unterminated [date]: %w", ErrUnparsable)
	}
	t, err := parseCLFTime(rest[1:end])
	if err != nil {
		return fmt.Errorf("clf: date: %w", ErrUnparsable)
	}
	e.Time = t
	req, rest, quoted, ok := nextField(rest[end+1:])
	if !ok || !quoted {
		return fmt.Errorf("clf: request not quoted: %w", ErrUnparsable)
	}
	status, rest, _, ok := nextField(rest)
	if e.Status = atoi3(status); !ok || e.Status == 0 {
		return fmt.Errorf("clf: status %q: %w", status, ErrUnparsable)
	}
	if _, rest, _, ok = nextField(rest); !ok { // bytes
		return fmt.Errorf("clf: no size: %w", ErrUnparsable)
	}
	// Optional combined fields: referer, user agent, X-Forwarded-For.
	for i := 0; i < 3; i++ {
		var f []byte
		if f, rest, quoted, ok = nextField(rest); !ok || !quoted {
			break
		}
		if string(f) == "-" {
			continue
		}
		switch i {
		case 1:
			e.UserAgent = string(f)
		case 2:
			e.XFF = string(f)
		}
	}
	method, target := splitRequest(req)
	e.Method = string(method)
	e.Target = string(originForm(target))
	e.Kind = KindRequest
	e.Event = "http.request"
	return nil
}
