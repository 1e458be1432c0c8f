package voice

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
)

// Defaults of the remote candidate limits.
const (
	// DefaultMaxRemoteCandidates: a browser offers a handful of candidates
	// per network interface (host, srflx, relay over UDP and TCP); 500 of
	// them made the media core send 20,000 connectivity checks in 5 s to
	// addresses of the caller's choosing.
	DefaultMaxRemoteCandidates = 20
	// DefaultMaxPatches: trickle ICE sends a PATCH per candidate or a few
	// batched, plus end-of-candidates and ICE restarts.
	DefaultMaxPatches = 50
)

// candidateAllowed reports whether the media core may send connectivity
// checks to the address of a remote candidate line (a=candidate:… or
// candidate:…). Multicast, broadcast, unspecified and hostname addresses
// (other than mDNS .local names, which are never resolved here) are never
// contacted; loopback and link-local ones (169.254.169.254 is the cloud
// metadata service) only with ice.include_loopback (tests, the demo). A
// line that does not parse is left to the PeerConnection to refuse.
func candidateAllowed(line string, includeLoopback bool) bool {
	f := strings.Fields(strings.TrimPrefix(strings.TrimPrefix(line, "a="), "candidate:"))
	if len(f) < 5 {
		return true
	}
	host := f[4]
	a, err := netip.ParseAddr(host)
	if err != nil {
		return strings.HasSuffix(strings.ToLower(host), ".local")
	}
	a = a.Unmap()
	switch {
	case a.IsUnspecified(), a.IsMulticast(), a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return false
	case a.IsLoopback(), a.IsLinkLocalUnicast():
		return includeLoopback
	}
	return true
}

// filterOfferCandidates drops the a=candidate lines of an offer that must
// not be contacted and counts the rest against ice.max_remote_candidates.
func filterOfferCandidates(raw string, cfg ICEConfig) (string, int, error) {
	var b strings.Builder
	b.Grow(len(raw))
	n := 0
	for line := range strings.Lines(raw) {
		t := strings.TrimRight(line, "\r\n")
		if strings.HasPrefix(t, "a=candidate:") {
			if !candidateAllowed(t, cfg.IncludeLoopback) {
				continue
			}
			if n++; n > cfg.MaxRemoteCandidates {
				return "", 0, fmt.Errorf("%w: the offer has more than ice.max_remote_candidates (%d)", ErrTooManyCandidates, cfg.MaxRemoteCandidates)
			}
		}
		b.WriteString(line)
	}
	return b.String(), n, nil
}

// candidateBudget counts a session's remote candidates and PATCHes.
type candidateBudget struct {
	mu         sync.Mutex
	candidates int
	patches    int
}

// admitPatch validates a PATCH's fragment for the session and removes the
// candidates that must not be contacted: over ice.max_patches it returns
// ErrTooManyPatches (429), with bad ICE credentials ErrICECredentials,
// over ice.max_remote_candidates in total ErrTooManyCandidates (both 400).
// The candidates of an ICE restart (new ufrag) start a new count.
func (b *candidateBudget) admitPatch(frag *sdpFrag, restart bool, cfg ICEConfig) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.patches++; b.patches > cfg.MaxPatches {
		return fmt.Errorf("%w (ice.max_patches %d): end the session and call again", ErrTooManyPatches, cfg.MaxPatches)
	}
	check := checkICEFields // a trickle fragment may carry only its ufrag
	if restart {
		check = checkICECredentials // a restart announces both (RFC 9725 §4.3.2)
	}
	if frag.ufrag != "" || frag.pwd != "" || restart {
		if err := check(frag.ufrag, frag.pwd); err != nil {
			return err
		}
	}
	kept := frag.candidates[:0]
	for _, c := range frag.candidates {
		if candidateAllowed(c, cfg.IncludeLoopback) {
			kept = append(kept, c)
		}
	}
	frag.candidates = kept
	total := b.candidates
	if restart {
		total = 0
	}
	if total+len(kept) > cfg.MaxRemoteCandidates {
		return fmt.Errorf("%w: more than ice.max_remote_candidates (%d) for this session", ErrTooManyCandidates, cfg.MaxRemoteCandidates)
	}
	b.candidates = total + len(kept)
	return nil
}

// patchStatus is the HTTP status for an admitPatch error.
func patchStatus(err error) int {
	if errors.Is(err, ErrTooManyPatches) {
		return 429
	}
	return 400
}
