package webrtc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// ErrDiscovery: the WHIP endpoint's ICE servers could not be read from
// OPTIONS (RFC 9725 §4.6).
var ErrDiscovery = errors.New("webrtc: ICE server discovery")

// DiscoverICEServers asks the WHIP endpoint for its ICE servers with
// OPTIONS, as RFC 9725 §4.6 describes: each Link header with
// rel="ice-server" names a stun:, turn: or turns: URI and, for TURN, the
// username and credential (credential-type "password"). A 2xx without Link
// headers means the endpoint announces none (nil, nil). The token, when
// set, is sent as a bearer token: endpoints announce TURN credentials to
// authorised clients only.
func DiscoverICEServers(ctx context.Context, client *http.Client, whipURL, token string) ([]ICEServer, error) {
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodOptions, whipURL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDiscovery, err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: OPTIONS: %w", ErrDiscovery, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%w: OPTIONS answered %s", ErrDiscovery, resp.Status)
	}
	return ParseICELinks(resp.Header.Values("Link"))
}

// ParseICELinks returns the ICE servers of Link header values (RFC 8288
// syntax; one header may hold several comma-separated links). Links with
// another rel are ignored; a rel="ice-server" link that is not a stun:,
// turn: or turns: URI is an error.
func ParseICELinks(values []string) ([]ICEServer, error) {
	var out []ICEServer
	for _, v := range values {
		for _, link := range splitLinks(v) {
			uri, params, err := parseLink(link)
			if err != nil {
				return nil, fmt.Errorf("%w: Link %q: %w", ErrDiscovery, redactLink(link), err)
			}
			if !hasRel(params["rel"], "ice-server") {
				continue
			}
			if !strings.HasPrefix(uri, "stun:") && !strings.HasPrefix(uri, "stuns:") && !strings.HasPrefix(uri, "turn:") && !strings.HasPrefix(uri, "turns:") {
				return nil, fmt.Errorf("%w: Link <%s>: an ice-server must be a stun:, turn: or turns: URI", ErrDiscovery, uri)
			}
			is := ICEServer{URL: uri}
			if strings.HasPrefix(uri, "turn") {
				if ct := params["credential-type"]; ct != "" && ct != "password" {
					return nil, fmt.Errorf("%w: Link <%s>: credential-type %q is not supported (want password)", ErrDiscovery, uri, ct)
				}
				is.Username, is.Password = params["username"], params["credential"]
			}
			out = append(out, is)
		}
	}
	return out, nil
}

func hasRel(rel, want string) bool {
	for _, r := range strings.Fields(rel) {
		if strings.EqualFold(r, want) {
			return true
		}
	}
	return false
}

// splitLinks splits a Link header value at the commas between links (not
// inside <...> or quoted strings).
func splitLinks(v string) []string {
	var out []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case !quoted && c == '<':
			depth++
		case !quoted && c == '>':
			depth--
		case !quoted && depth == 0 && c == ',':
			out = append(out, v[start:i])
			start = i + 1
		}
	}
	out = append(out, v[start:])
	var links []string
	for _, l := range out {
		if l = strings.TrimSpace(l); l != "" {
			links = append(links, l)
		}
	}
	return links
}

// parseLink parses `<uri>; k=v; k="quoted"` into the URI and lower-cased
// parameter names.
func parseLink(link string) (string, map[string]string, error) {
	if !strings.HasPrefix(link, "<") {
		return "", nil, errors.New("want <URI>; rel=\"ice-server\"")
	}
	end := strings.IndexByte(link, '>')
	if end < 0 {
		return "", nil, errors.New("unterminated <URI>")
	}
	uri, rest := link[1:end], link[end+1:]
	params := map[string]string{}
	for rest = strings.TrimSpace(rest); rest != ""; rest = strings.TrimSpace(rest) {
		if rest[0] != ';' {
			return "", nil, fmt.Errorf("want ';' before %q", rest)
		}
		rest = strings.TrimSpace(rest[1:])
		eq := strings.IndexAny(rest, "=;")
		if eq < 0 || rest[eq] == ';' {
			name := rest
			if eq >= 0 {
				name = rest[:eq]
			}
			params[strings.ToLower(strings.TrimSpace(name))] = ""
			if eq < 0 {
				break
			}
			rest = rest[eq:]
			continue
		}
		name := strings.ToLower(strings.TrimSpace(rest[:eq]))
		rest = strings.TrimSpace(rest[eq+1:])
		var val string
		if strings.HasPrefix(rest, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(rest) && rest[i] != '"'; i++ {
				if rest[i] == '\\' && i+1 < len(rest) {
					i++
				}
				b.WriteByte(rest[i])
			}
			if i >= len(rest) {
				return "", nil, fmt.Errorf("unterminated quoted value of %s", name)
			}
			val, rest = b.String(), rest[i+1:]
		} else {
			semi := strings.IndexByte(rest, ';')
			if semi < 0 {
				semi = len(rest)
			}
			val, rest = strings.TrimSpace(rest[:semi]), rest[semi:]
		}
		params[name] = val
	}
	return uri, params, nil
}

// redactLink drops credential values from a link for error messages.
func redactLink(link string) string {
	if i := strings.Index(strings.ToLower(link), "credential="); i >= 0 {
		return link[:i] + "credential=…"
	}
	return link
}
