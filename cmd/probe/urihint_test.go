package main

import (
	"strings"
	"testing"
)

// A URI mistake is a usage error (exit 2) that shows the right form.
func TestICEURIHints(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"stun", "stun.l.google.com"}, "write stun:stun.l.google.com:3478"},
		{[]string{"stun", "stun.l.google.com:19302"}, "write stun:stun.l.google.com:19302"},
		{[]string{"stun", "::1"}, "write stun:[::1]:3478"},
		{[]string{"stun", "[::1]:3478"}, "write stun:[::1]:3478"},
		{[]string{"stun", "stun://stun.example.com:3478"}, `no "//"`},
		{[]string{"stun", "http://stun.example.com"}, "is a URL, not a STUN URI: write stun:HOST:3478"},
		{[]string{"stun", "turn:turn.example.com:3478"}, "use 'probe turn turn:turn.example.com:3478'"},
		{[]string{"turn", "turn.example.com", "--username", "u", "--password", "p"}, "write turn:turn.example.com:3478?transport=udp"},
		{[]string{"webrtc", "http://127.0.0.1:1/whip", "--ice-server", "stun.example.com"}, "--ice-server: "},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, errOut, code := runProbe(t, tc.args...)
			if code != exitUsage || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, exitUsage, tc.want)
			}
		})
	}
	// Right forms pass the check (and reach the prober).
	for _, ok := range []string{"stun:stun.l.google.com:19302", "stuns:stun.example.com", "stun:[::1]:3478"} {
		if err := checkICEURI("stun", ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}
