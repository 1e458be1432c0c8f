package probes

import (
	"fmt"
	"net/url"
	"strings"
)

// RedactTarget removes credentials from a target before it is shown or
// used as a label: the user-info of a URL or of a stun:/turn: URI, and the
// values of query parameters that look like secrets.
func RedactTarget(target string) string {
	if i := strings.LastIndex(target, "@"); i >= 0 {
		if j := strings.Index(target, ":"); j >= 0 && j < i {
			prefix := target[:j+1]
			if strings.HasPrefix(target[j+1:], "//") {
				prefix += "//"
			}
			target = prefix + "REDACTED@" + target[i+1:]
		}
	}
	if q := strings.Index(target, "?"); q >= 0 {
		vals, err := url.ParseQuery(target[q+1:])
		if err != nil {
			return target[:q] + "?REDACTED"
		}
		changed := false
		for k := range vals {
			lk := strings.ToLower(k)
			if strings.Contains(lk, "pass") || strings.Contains(lk, "secret") || strings.Contains(lk, "token") || strings.Contains(lk, "key") || strings.Contains(lk, "cred") {
				vals[k] = []string{"REDACTED"}
				changed = true
			}
		}
		if changed {
			target = target[:q+1] + vals.Encode()
		}
	}
	return target
}

// ParseHTTPURL parses target as an absolute http:// or https:// URL. Its
// error wraps badURL, shows the target redacted and says what was wanted
// (e.g. "http(s)://host/path"); it never quotes the parser's message,
// which would repeat the credentials.
func ParseHTTPURL(target string, badURL error, want string) (*url.URL, error) {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w %q: want %s", badURL, RedactTarget(target), want)
	}
	return u, nil
}
