package voice

import (
	"context"
	"time"
)

// Codec names the audio encoding of a session, as negotiated in SDP.
type Codec string

// Codecs the media core negotiates. Browsers offer Opus first.
const (
	CodecOpus Codec = "opus"
	CodecPCMU Codec = "pcmu"
)

// AudioFormat describes audio passed between the media core and providers.
type AudioFormat struct {
	Codec      Codec
	SampleRate int // RTP clock rate: 48000 for Opus, 8000 for PCMU
	Channels   int
}

// Chunk is one RTP payload of encoded audio (usually 20 ms).
type Chunk struct {
	Payload  []byte
	Duration time.Duration
}

// Transcript is a recognition result. Audio carries the utterance itself for
// dialogs that answer with the user's own voice (the echo bot).
type Transcript struct {
	Text  string
	Final bool
	Audio []Chunk
}

// STT turns a session's user audio into transcripts. Implementations: the
// embedded utterance segmenter (no account), AWS Transcribe (a later issue).
type STT interface {
	// Name is the provider label value (bounded: one per implementation).
	Name() string
	// Start opens a recognition stream for one session.
	Start(ctx context.Context, f AudioFormat) (STTStream, error)
}

// STTStream is one session's recognition stream. Write and EndOfSpeech are
// called from the media goroutine only.
type STTStream interface {
	// Write sends a chunk of user audio (only while the VAD hears speech).
	Write(c Chunk) error
	// EndOfSpeech marks the end of an utterance (the VAD's hangover elapsed).
	EndOfSpeech() error
	// Results delivers transcripts; it is closed when the stream ends.
	Results() <-chan Transcript
	// Close ends the stream and releases its resources.
	Close() error
}

// Turn is one user turn handed to the dialog.
type Turn struct {
	SessionID  string
	Index      int // 1 for the first user turn
	Transcript Transcript
	// TimedOut is set when the user said nothing for the silence timeout.
	TimedOut bool
}

// Reply is what the bot says. Audio, when set, is played as is; otherwise
// Text is synthesised by the TTS.
type Reply struct {
	Text   string
	Audio  []Chunk
	Hangup bool // end the session (completed) after playing the reply
}

// Dialog decides the bot's replies. Implementations: the echo bot (default),
// scripted form filling and webhook (a later issue).
type Dialog interface {
	Name() string
	// Greeting is said when the call connects; empty for none.
	Greeting(ctx context.Context, sessionID string) (Reply, error)
	// Reply answers one user turn.
	Reply(ctx context.Context, t Turn) (Reply, error)
}

// TTS turns text into audio. Implementations: the embedded prompt/tone voice
// (no account), ElevenLabs (a later issue).
type TTS interface {
	Name() string
	// Synthesize streams the audio of text, in format f, to out as it
	// arrives, and returns when the speech is complete or failed; it never
	// closes out. The first chunk's arrival is the time to first byte. An
	// error after some chunks were sent means the speech was cut short (for
	// example a policy violation reported mid-stream); it is classified with
	// ErrorReason like any other. Implementations must return promptly when
	// ctx ends.
	Synthesize(ctx context.Context, text string, f AudioFormat, out chan<- Chunk) error
}

// Providers bundles the pipeline's three providers.
type Providers struct {
	STT    STT
	Dialog Dialog
	TTS    TTS
}
