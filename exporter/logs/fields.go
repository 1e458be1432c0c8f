package logs

import (
	"bytes"
	"net/netip"
)

// nextField returns the next space-separated field of b and the rest. A field
// starting with '"' extends to the closing unescaped quote and is returned
// without the quotes; quoted reports that it was quoted. ok is false at the
// end of input or for an unterminated quote.
func nextField(b []byte) (field, rest []byte, quoted, ok bool) {
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	if len(b) == 0 {
		return nil, nil, false, false
	}
	if b[0] == '"' {
		for i := 1; i < len(b); i++ {
			switch b[i] {
			case '\\':
				i++
			case '"':
				return b[1:i], b[i+1:], true, true
			}
		}
		return nil, nil, true, false
	}
	if i := bytes.IndexByte(b, ' '); i >= 0 {
		return b[:i], b[i+1:], false, true
	}
	return b, nil, false, true
}

// parseHostPort parses "1.2.3.4:56", "[::1]:56" or a bare address.
func parseHostPort(b []byte) netip.Addr {
	if ap, err := netip.ParseAddrPort(string(b)); err == nil {
		return ap.Addr().Unmap()
	}
	if a, err := netip.ParseAddr(string(b)); err == nil {
		return a.Unmap()
	}
	return netip.Addr{}
}

// splitRequest splits an HTTP request line "METHOD TARGET PROTO" into method
// and target. A missing target is returned empty.
func splitRequest(b []byte) (method, target []byte) {
	method = b
	if i := bytes.IndexByte(b, ' '); i >= 0 {
		method, b = b[:i], b[i+1:]
		target = b
		if j := bytes.LastIndexByte(b, ' '); j >= 0 {
			target = b[:j]
		}
	}
	return method, target
}

// originForm turns an absolute-form target (https://host:443/p?q) into its
// origin form (/p?q); other targets are returned unchanged.
func originForm(t []byte) []byte {
	i := bytes.Index(t, []byte("://"))
	if i < 0 || bytes.IndexByte(t[:i], '/') >= 0 {
		return t
	}
	rest := t[i+3:]
	j := bytes.IndexAny(rest, "/?")
	if j < 0 {
		return []byte("/")
	}
	if rest[j] == '?' {
		return append([]byte("/"), rest[j:]...)
	}
	return rest[j:]
}

// atoi3 parses a three-digit HTTP status; anything else is 0.
func atoi3(b []byte) int {
	if len(b) != 3 {
		return 0
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}
