package voice

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// Errors of the media core.
var (
	// ErrSessionCap: the session cap is reached; retry later.
	ErrSessionCap = errors.New("voice: session cap reached")
	// ErrNoAudio: the offer has no audio m-line we can answer.
	ErrNoAudio = errors.New("voice: offer has no audio media section")
	// ErrBadSDP: the offer could not be parsed.
	ErrBadSDP = errors.New("voice: malformed SDP")
	// ErrNoCodec: the offer's audio has neither Opus nor PCMU.
	ErrNoCodec = errors.New("voice: offer has no supported audio codec (Opus or PCMU)")
	// ErrClientSessionCap: this client has max_sessions_per_client open.
	ErrClientSessionCap = errors.New("voice: this client has too many sessions open")
	// ErrNoMediaPort: no media port could be bound (the UDP port range is
	// used up); retry later.
	ErrNoMediaPort = errors.New("voice: no media port available")
	// ErrShuttingDown: the server is draining.
	ErrShuttingDown = errors.New("voice: shutting down")
)

// ProviderError is a classified STT/TTS/Dialog failure. Reason is one of the
// Reason* constants, the label of voice_stt_errors_total and friends.
type ProviderError struct {
	Provider string
	Reason   string
	Err      error
}

func (e *ProviderError) Error() string {
	return fmt.Sprintf("%s: %s: %v", e.Provider, e.Reason, e.Err)
}

func (e *ProviderError) Unwrap() error { return e.Err }

// ErrorReason classifies err into a bounded reason: a *ProviderError keeps
// its own, deadlines are timeouts, net errors are network, else other.
func ErrorReason(err error) string {
	var pe *ProviderError
	if errors.As(err, &pe) && pe.Reason != "" {
		return pe.Reason
	}
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return voicemetrics.ReasonTimeout
	case errors.As(err, &ne) && ne.Timeout():
		return voicemetrics.ReasonTimeout
	case errors.As(err, &ne):
		return voicemetrics.ReasonNetwork
	}
	return voicemetrics.ReasonOther
}

// Errors of offer and PATCH validation (400 unless said otherwise).
var (
	// ErrICECredentials: ice-ufrag or ice-pwd missing or outside RFC 8839.
	ErrICECredentials = errors.New("voice: missing or invalid ice-ufrag/ice-pwd")
	// ErrBadFingerprint: a=fingerprint missing, of a refused hash (MD5,
	// SHA-1) or malformed.
	ErrBadFingerprint = errors.New("voice: missing or invalid DTLS fingerprint")
	// ErrTooManyCandidates: over ice.max_remote_candidates for the session.
	ErrTooManyCandidates = errors.New("voice: too many remote ICE candidates")
	// ErrTooManyPatches: over ice.max_patches for the session (429).
	ErrTooManyPatches = errors.New("voice: too many PATCH requests for this session")
)
