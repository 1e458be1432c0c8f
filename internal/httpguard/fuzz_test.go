package httpguard

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func FuzzClassify(f *testing.F) {
	for _, line := range benchCorpus {
		m, target := splitRequestLine(f, line)
		f.Add(m, target)
	}
	for _, target := range legitimateTargets {
		f.Add("GET", target)
	}
	f.Add("", "/a/%2")
	f.Add("", "%25%2")
	f.Add("", "/x/%c0%a")
	f.Add("", "/..")
	rc := newRegexpClassifier(f)
	valid := append(Patterns(), PatternNone)
	f.Fuzz(func(t *testing.T, method, target string) {
		got := Classify(method, target)
		if !slices.Contains(valid, got) {
			t.Fatalf("Classify(%q, %q) = %q: not a bounded label", method, target, got)
		}
		if got != Classify(method, target) {
			t.Fatalf("Classify(%q, %q) is not deterministic", method, target)
		}
		// Without percent-encoding, control bytes and absolute-form, the EREs are exactly
		// equivalent. Restrict to ASCII: (?i) in Go folds some non-ASCII
		// runes onto ASCII letters (K, ſ), Classify folds ASCII only.
		if isPlainASCII(target) && !hasPrefixFold(target, "http://") && !hasPrefixFold(target, "https://") {
			if want := rc.classify(method, target); got != want {
				t.Fatalf("Classify(%q, %q) = %q, EREs say %q", method, target, got, want)
			}
		}
	})
}

func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] < 0x20 || s[i] == '%' {
			return false
		}
	}
	return true
}

func FuzzClientIP(f *testing.F) {
	f.Add("10.0.0.5", "203.0.113.7, 10.0.0.9")
	f.Add("10.0.0.5", "")
	f.Add("198.51.100.1", "203.0.113.7")
	f.Add("10.0.0.5", "garbage, 10.0.0.8")
	f.Add("::ffff:10.0.0.5", "[2001:db8::1]:4711")
	f.Add("10.0.0.5", ",,, ,")
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	f.Fuzz(func(t *testing.T, peerS, xff string) {
		peer, err := netip.ParseAddr(peerS)
		if err != nil {
			return
		}
		got := ClientIP(peer, xff, trusted)
		if !isTrusted(peer.Unmap(), trusted) {
			if got != peer.Unmap() {
				t.Fatalf("untrusted peer %v: got %v, want the peer (XFF must be ignored)", peer, got)
			}
			return
		}
		if got == peer.Unmap() {
			return
		}
		// Anything else must literally come from the header.
		found := false
		for _, e := range strings.Split(xff, ",") {
			if a, ok := parseHop(strings.TrimSpace(e)); ok && a == got {
				found = true
			}
		}
		if !found {
			t.Fatalf("ClientIP(%v, %q) = %v, which is neither the peer nor in the header", peer, xff, got)
		}
		// Every entry to the right of the answer is a trusted proxy.
		if i := strings.LastIndex(xff, ","); i >= 0 && got != ClientIP(peer, xff[:i], trusted) {
			last, ok := parseHop(strings.TrimSpace(xff[i+1:]))
			if ok && !isTrusted(last, trusted) && last != got {
				t.Fatalf("ClientIP(%v, %q) = %v, but the rightmost untrusted hop is %v", peer, xff, got, last)
			}
		}
	})
}
