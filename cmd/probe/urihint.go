package main

import (
	"fmt"
	"net"
	"strings"
)

// defaultICEPort is the default port of stun: and turn: URIs (RFC 7064,
// RFC 7065); stuns: and turns: default to 5349.
const defaultICEPort = "3478"

// checkICEURI returns a usage error that shows the right form when arg is
// not a URI of kind ("stun" or "turn"): a bare host, host:port or [v6]:port,
// a URL (http://, udp://) or the kind with "//" (stun://host). Anything
// else is left to the prober's own validation.
func checkICEURI(kind, arg string) error {
	example := kind + ":HOST:" + defaultICEPort
	if kind == "turn" {
		example += "?transport=udp"
	}
	suffix := ""
	if kind == "turn" {
		suffix = "?transport=udp"
	}
	lower := strings.ToLower(arg)
	switch {
	case strings.HasPrefix(lower, kind+"://") || strings.HasPrefix(lower, kind+"s://"):
		scheme, rest, _ := strings.Cut(arg, "://")
		return fmt.Errorf("%w: %s: %q: ICE URIs have no \"//\" (RFC 7064/7065): write %s:%s", errUsage, kind, arg, scheme, rest)
	case strings.HasPrefix(lower, kind+":") || strings.HasPrefix(lower, kind+"s:"):
		return nil
	case strings.Contains(arg, "://"):
		return fmt.Errorf("%w: %s: %q is a URL, not a %s URI: write %s (RFC 7064/7065)", errUsage, kind, arg, strings.ToUpper(kind), example)
	case strings.HasPrefix(lower, "stun:") || strings.HasPrefix(lower, "turn:") || strings.HasPrefix(lower, "stuns:") || strings.HasPrefix(lower, "turns:"):
		return fmt.Errorf("%w: %s: %q: probe %s checks %s servers; use 'probe %s %s' for this URI", errUsage, kind, arg, kind, strings.ToUpper(kind), strings.SplitN(lower, ":", 2)[0][:4], arg)
	}
	// A bare host, host:port or IPv6 address: show it as a URI.
	hostport := arg
	if _, _, err := net.SplitHostPort(arg); err != nil {
		host := strings.Trim(arg, "[]")
		hostport = net.JoinHostPort(host, defaultICEPort)
	}
	return fmt.Errorf("%w: %s: %q is not a %s URI: write %s:%s%s (the port is the server's; %s is the default)",
		errUsage, kind, arg, strings.ToUpper(kind), kind, hostport, suffix, defaultICEPort)
}
