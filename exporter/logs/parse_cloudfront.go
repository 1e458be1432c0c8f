package logs

import (
	"bytes"
	"fmt"
	"net/url"
	"time"
)

// CloudFrontParser parses CloudFront standard (access) logs: tab-separated
// fields in the documented order, one request per line, after the header
// lines "#Version: 1.0" and "#Fields: date time x-edge-location ...":
//
//	date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem
//	sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) ...
//
// The header lines are ErrHeaderLine, not unparsable. c-ip is the viewer
// (CloudFront terminates the connection), so ClientIP is set directly.
// cs(User-Agent) is URL-encoded by CloudFront and decoded here.
type CloudFrontParser struct{}

var _ Parser = CloudFrontParser{}

// cloudFrontMinFields is the number of fields up to cs-uri-query.
const cloudFrontMinFields = 12

// Parse implements Parser.
func (CloudFrontParser) Parse(line []byte, e *Entry) error {
	e.reset()
	if len(line) > 0 && line[0] == '#' {
		if bytes.HasPrefix(line, []byte("#Version:")) || bytes.HasPrefix(line, []byte("#Fields:")) {
			return ErrHeaderLine
		}
		return fmt.Errorf("cloudfront: unknown header line: %w", ErrUnparsable)
	}
	var f [cloudFrontMinFields][]byte
	rest := line
	for i := range f {
		j := bytes.IndexByte(rest, '\t')
		if j < 0 {
			if i < cloudFrontMinFields-1 {
				return fmt.Errorf("cloudfront: %d fields, want at least %d: %w", i+1, cloudFrontMinFields, ErrUnparsable)
			}
			f[i], rest = rest, nil
			break
		}
		f[i], rest = rest[:j], rest[j+1:]
	}
	t, err := time.Parse("2006-01-02T15:04:05", string(f[0])+"T"+string(f[1]))
	if err != nil {
		return fmt.Errorf("cloudfront: date/time: %w", ErrUnparsable)
	}
	e.Time = t.UTC()
	e.ClientIP = parseHostPort(f[4])
	if !e.ClientIP.IsValid() {
		return fmt.Errorf("cloudfront: c-ip %q: %w", f[4], ErrUnparsable)
	}
	e.Peer = e.ClientIP
	e.Status = atoi3(f[8])
	if e.Status == 0 && string(f[8]) != "000" && string(f[8]) != "-" {
		return fmt.Errorf("cloudfront: sc-status %q: %w", f[8], ErrUnparsable)
	}
	e.Method = string(f[5])
	target := string(f[7])
	if q := f[11]; len(q) > 0 && string(q) != "-" {
		target += "?" + string(q)
	}
	e.Target = target
	if ua := f[10]; len(ua) > 0 && string(ua) != "-" {
		if s, err := url.PathUnescape(string(ua)); err == nil {
			e.UserAgent = s
		} else {
			e.UserAgent = string(ua)
		}
	}
	e.Kind = KindRequest
	e.Event = "cloudfront.request"
	return nil
}

// looksCloudFront reports whether line is a CloudFront header line or
// starts with a "YYYY-MM-DD<TAB>" date.
func looksCloudFront(line []byte) bool {
	if bytes.HasPrefix(line, []byte("#Version:")) || bytes.HasPrefix(line, []byte("#Fields:")) {
		return true
	}
	if len(line) < 11 || line[10] != '\t' || line[4] != '-' || line[7] != '-' {
		return false
	}
	for _, i := range []int{0, 1, 2, 3, 5, 6, 8, 9} {
		if line[i] < '0' || line[i] > '9' {
			return false
		}
	}
	return true
}
