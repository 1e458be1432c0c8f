package httpguard

import (
	"context"
	"net/netip"
	"testing"
)

func TestClientIP(t *testing.T) {
	alb := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16"), netip.MustParsePrefix("fd00::/8")}
	tests := []struct {
		name    string
		peer    string
		xff     string
		trusted []netip.Prefix
		want    string
	}{
		{"no trusted proxies: header ignored", "10.0.1.2", "203.0.113.7", nil, "10.0.1.2"},
		{"untrusted peer spoofing the header", "198.51.100.9", "203.0.113.7", alb, "198.51.100.9"},
		{"behind the ALB", "10.0.1.2", "203.0.113.7", alb, "203.0.113.7"},
		{"client-supplied entries left of the real one are ignored", "10.0.1.2", "1.1.1.1, 203.0.113.7", alb, "203.0.113.7"},
		{"chain of trusted proxies", "10.0.1.2", "203.0.113.7, 10.0.5.5, 10.0.9.9", alb, "203.0.113.7"},
		{"all hops trusted: leftmost", "10.0.1.2", "10.0.7.7, 10.0.5.5", alb, "10.0.7.7"},
		{"trusted peer without header", "10.0.1.2", "", alb, "10.0.1.2"},
		{"garbage stops the walk at the last trusted hop", "10.0.1.2", "203.0.113.7, not-an-ip, 10.0.5.5", alb, "10.0.5.5"},
		{"entry with port", "10.0.1.2", "203.0.113.7:4711", alb, "203.0.113.7"},
		{"IPv6 entry with port", "10.0.1.2", "[2001:db8::7]:4711", alb, "2001:db8::7"},
		{"IPv6 proxy", "fd00::1", "2001:db8::7", alb, "2001:db8::7"},
		{"IPv4-mapped peer", "::ffff:10.0.1.2", "203.0.113.7", alb, "203.0.113.7"},
		{"IPv4-mapped entry", "10.0.1.2", "::ffff:203.0.113.7", alb, "203.0.113.7"},
		{"empty entries skipped", "10.0.1.2", "203.0.113.7,, ,", alb, "203.0.113.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ClientIP(netip.MustParseAddr(tt.peer), tt.xff, tt.trusted)
			if got != netip.MustParseAddr(tt.want) {
				t.Errorf("ClientIP(%s, %q) = %v, want %s", tt.peer, tt.xff, got, tt.want)
			}
		})
	}
}

func TestClientIPFromRepeatedHeaders(t *testing.T) {
	alb := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")}
	peer := netip.MustParseAddr("10.0.1.2")
	got := clientIPFromValues(peer, []string{"1.1.1.1, 203.0.113.7", "10.0.5.5"}, alb)
	if want := netip.MustParseAddr("203.0.113.7"); got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestClientIPDoesNotAllocate(t *testing.T) {
	alb := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")}
	peer := netip.MustParseAddr("10.0.1.2")
	if n := testing.AllocsPerRun(100, func() { ClientIP(peer, "1.1.1.1, 203.0.113.7, 10.0.5.5", alb) }); n != 0 {
		t.Errorf("ClientIP allocates %v times", n)
	}
}

func TestClientIPContext(t *testing.T) {
	if _, ok := ClientIPFrom(context.Background()); ok {
		t.Fatal("ClientIPFrom on a bare context reports ok")
	}
	want := netip.MustParseAddr("203.0.113.7")
	got, ok := ClientIPFrom(NewContext(context.Background(), want))
	if !ok || got != want {
		t.Fatalf("ClientIPFrom = %v, %v; want %v, true", got, ok, want)
	}
}
