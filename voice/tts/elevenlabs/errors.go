package elevenlabs

import "errors"

// Errors of the adapter. Provider failures are returned as
// *voice.ProviderError wrapping one of these or the transport error.
var (
	// ErrUnsupportedCodec: the session's codec is not PCMU (see the package doc).
	ErrUnsupportedCodec = errors.New("elevenlabs: only PCMU sessions are supported (ulaw_8000); negotiate PCMU")
	// ErrFirstByteTimeout: no audio arrived within Config.FirstByteTimeout.
	ErrFirstByteTimeout = errors.New("elevenlabs: no audio before the first-byte timeout")
	// ErrChunkTimeout: the stream stalled for longer than Config.ChunkTimeout.
	ErrChunkTimeout = errors.New("elevenlabs: stream stalled")
	// ErrNoAPIKey: no API key was found in the configured file or variable.
	ErrNoAPIKey = errors.New("elevenlabs: no API key")
	// ErrService: the service answered with an error frame or close code.
	ErrService = errors.New("elevenlabs: service error")
	// ErrHandshake: the WebSocket handshake was refused with an HTTP status.
	ErrHandshake = errors.New("elevenlabs: handshake refused")
	// ErrEmptyStream: the stream ended without audio.
	ErrEmptyStream = errors.New("elevenlabs: stream ended without audio")
)
