package webrtc

import "errors"

var (
	// ErrBadURL: the target is not an http(s) WHIP endpoint URL.
	ErrBadURL = errors.New("webrtc: bad WHIP URL")
	// ErrSignaling: the WHIP exchange did not follow RFC 9725.
	ErrSignaling = errors.New("webrtc: WHIP signaling failed")
	// ErrUnauthorized: the WHIP endpoint rejected the token (401/403).
	ErrUnauthorized = errors.New("webrtc: WHIP endpoint rejected the token")
	// ErrICEFailed: no candidate pair worked.
	ErrICEFailed = errors.New("webrtc: ICE failed")
	// ErrDTLSFailed: the DTLS handshake failed.
	ErrDTLSFailed = errors.New("webrtc: DTLS failed")
	// ErrNoAudio: the call connected but no audio came back.
	ErrNoAudio = errors.New("webrtc: no audio back")
	// ErrBadICEServer: an ICE server URI or its credentials are invalid.
	ErrBadICEServer = errors.New("webrtc: bad ICE server")
	// ErrBadConfig: another setting is invalid.
	ErrBadConfig = errors.New("webrtc: bad config")
)
