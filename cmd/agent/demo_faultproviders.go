//go:build !sidecaronly

package main

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/voicewatch/voicewatch/voice"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// errPolicy is what ElevenLabs says when it closes a stream-input
// WebSocket for a policy violation (close code 1008), e.g. for
// voice_settings sent after the first message.
var errPolicy = errors.New("websocket: close 1008 (policy violation): voice_settings are only accepted in the first message (fault tts-policy)")

// errNoTranscript is an STT request that timed out without a transcript.
var errNoTranscript = errors.New("no transcript within the deadline (fault stt-timeouts)")

// faultTTS fails every synthesis with a policy violation while tts-policy
// is on; otherwise it is the embedded voice.
type faultTTS struct {
	voice.TTS
	on *atomic.Bool
}

func (t faultTTS) Synthesize(ctx context.Context, text string, f voice.AudioFormat, out chan<- voice.Chunk) error {
	if t.on.Load() {
		return &voice.ProviderError{Provider: t.Name(), Reason: voicemetrics.ReasonPolicyViolation, Err: errPolicy}
	}
	return t.TTS.Synthesize(ctx, text, f, out)
}

// faultSTT ends every utterance in a timeout while stt-timeouts is on: the
// audio never reaches the recognizer and no transcript comes back.
type faultSTT struct {
	voice.STT
	on *atomic.Bool
}

func (s faultSTT) Start(ctx context.Context, f voice.AudioFormat) (voice.STTStream, error) {
	st, err := s.STT.Start(ctx, f)
	if err != nil {
		return nil, err
	}
	return &faultSTTStream{STTStream: st, name: s.Name(), on: s.on}, nil
}

type faultSTTStream struct {
	voice.STTStream
	name string
	on   *atomic.Bool
}

func (s *faultSTTStream) Write(c voice.Chunk) error {
	if s.on.Load() {
		return nil
	}
	return s.STTStream.Write(c)
}

func (s *faultSTTStream) EndOfSpeech() error {
	if s.on.Load() {
		return &voice.ProviderError{Provider: s.name, Reason: voicemetrics.ReasonTimeout, Err: errNoTranscript}
	}
	return s.STTStream.EndOfSpeech()
}
