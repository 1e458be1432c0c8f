package voice

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Embedded providers: they need no account and no network, so the media core
// runs offline (agent demo, tests).

// Texts of the recorded prompts.
const (
	GreetingText = "Hello, this is the voicewatch echo bot. Say something, and I will repeat it."
	StillThere   = "Are you still there?"
	// Apology is said when the real TTS fails, so the caller is not left in
	// silence.
	Apology = "Sorry, I am having trouble speaking right now. Please try again in a moment."
)

// EmbeddedSTT segments audio into utterances without recognising words: each
// final transcript carries the utterance audio and a placeholder text.
type EmbeddedSTT struct{}

var _ STT = EmbeddedSTT{}

// Name implements STT.
func (EmbeddedSTT) Name() string { return "embedded" }

// Start implements STT.
func (EmbeddedSTT) Start(ctx context.Context, f AudioFormat) (STTStream, error) {
	return &utteranceStream{results: make(chan Transcript, 4)}, nil
}

type utteranceStream struct {
	mu      sync.Mutex
	audio   []Chunk
	dur     time.Duration
	closed  bool
	results chan Transcript
}

func (s *utteranceStream) Write(c Chunk) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := make([]byte, len(c.Payload)) // the RTP buffer is reused
	copy(p, c.Payload)
	s.audio = append(s.audio, Chunk{Payload: p, Duration: c.Duration})
	s.dur += c.Duration
	return nil
}

func (s *utteranceStream) EndOfSpeech() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || len(s.audio) == 0 {
		return nil
	}
	t := Transcript{Text: fmt.Sprintf("(%.1f s of speech)", s.dur.Seconds()), Final: true, Audio: s.audio}
	s.audio, s.dur = nil, 0
	select {
	case s.results <- t:
	default: // the dialog is behind: drop the utterance rather than block the media loop
	}
	return nil
}

func (s *utteranceStream) Results() <-chan Transcript { return s.results }

func (s *utteranceStream) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.results)
	}
	return nil
}

// EchoDialog plays each utterance back to the caller.
type EchoDialog struct {
	// Greet says GreetingText when the call connects.
	Greet bool
}

var _ Dialog = EchoDialog{}

// Name implements Dialog.
func (EchoDialog) Name() string { return "echo" }

// Greeting implements Dialog.
func (d EchoDialog) Greeting(ctx context.Context, sessionID string) (Reply, error) {
	if !d.Greet {
		return Reply{}, nil
	}
	return Reply{Text: GreetingText}, nil
}

// Reply implements Dialog.
func (EchoDialog) Reply(ctx context.Context, t Turn) (Reply, error) {
	if t.TimedOut {
		return Reply{Text: StillThere}, nil
	}
	return Reply{Text: t.Transcript.Text, Audio: t.Transcript.Audio}, nil
}

// PromptTTS speaks the recorded prompts and answers any other text with a
// short beep per word, in the session's codec.
type PromptTTS struct {
	prompts map[string]prompt
	beep    prompt
}

var _ TTS = (*PromptTTS)(nil)

// NewPromptTTS loads the embedded prompts.
func NewPromptTTS() (*PromptTTS, error) {
	t := &PromptTTS{prompts: map[string]prompt{}}
	for text, name := range map[string]string{GreetingText: "greeting", StillThere: "still", Apology: "sorry"} {
		p, err := loadPrompt(name)
		if err != nil {
			return nil, err
		}
		t.prompts[text] = p
	}
	b, err := loadPrompt("beep")
	if err != nil {
		return nil, err
	}
	t.beep = b
	return t, nil
}

// Name implements TTS.
func (*PromptTTS) Name() string { return "embedded" }

// Synthesize implements TTS.
func (t *PromptTTS) Synthesize(ctx context.Context, text string, f AudioFormat, out chan<- Chunk) error {
	var chunks []Chunk
	if p, ok := t.prompts[text]; ok {
		chunks = p.chunks(f.Codec)
	} else {
		words := min(max(len(strings.Fields(text)), 1), 5)
		for range words {
			chunks = append(chunks, t.beep.chunks(f.Codec)...)
		}
	}
	for _, c := range chunks {
		select {
		case out <- c:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
