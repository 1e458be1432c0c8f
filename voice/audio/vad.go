package audio

import (
	"cmp"
	"time"
)

// VADConfig configures the energy voice activity detector.
type VADConfig struct {
	// Threshold is the loudest level, in -dBov, still counted as silence:
	// a packet at or below this number (louder) is speech. Default 50.
	Threshold uint8
	// MinSpeech is how much speech starts an utterance. Default 60ms.
	MinSpeech time.Duration
	// Hangover is how much silence ends it. Default 600ms.
	Hangover time.Duration
}

// Defaults of VADConfig (the media core's audio.vad_threshold and
// audio.end_of_speech default to them too).
const (
	DefaultVADThreshold = 50
	DefaultMinSpeech    = 60 * time.Millisecond
	DefaultHangover     = 600 * time.Millisecond
)

// WithDefaults returns c with every zero field set to its default.
func (c VADConfig) WithDefaults() VADConfig {
	c.Threshold = cmp.Or(c.Threshold, DefaultVADThreshold)
	c.MinSpeech = cmp.Or(c.MinSpeech, DefaultMinSpeech)
	c.Hangover = cmp.Or(c.Hangover, DefaultHangover)
	return c
}

// VADEvent is what one packet changed.
type VADEvent uint8

// VAD events.
const (
	VADNone VADEvent = iota
	// VADSpeechStart: an utterance started (MinSpeech of speech seen).
	VADSpeechStart
	// VADSpeechEnd: Hangover of silence followed an utterance.
	VADSpeechEnd
)

// VAD is an energy detector with hangover driven by packet levels. It works
// on media time (the caller passes each packet's duration), so it behaves the
// same under jitter and in tests. Not safe for concurrent use.
type VAD struct {
	cfg      VADConfig
	speaking bool
	voiced   time.Duration // consecutive speech before start
	silence  time.Duration // consecutive silence while speaking
}

// NewVAD returns a detector; zero config fields take their defaults.
func NewVAD(cfg VADConfig) *VAD { return &VAD{cfg: cfg.WithDefaults()} }

// Speaking reports whether an utterance is in progress.
func (v *VAD) Speaking() bool { return v.speaking }

// Push feeds one packet's level (-dBov) and duration.
func (v *VAD) Push(level uint8, d time.Duration) VADEvent {
	loud := level <= v.cfg.Threshold
	if !v.speaking {
		if !loud {
			v.voiced = 0
			return VADNone
		}
		v.voiced += d
		if v.voiced >= v.cfg.MinSpeech {
			v.speaking, v.voiced, v.silence = true, 0, 0
			return VADSpeechStart
		}
		return VADNone
	}
	if loud {
		v.silence = 0
		return VADNone
	}
	v.silence += d
	if v.silence >= v.cfg.Hangover {
		v.speaking, v.silence = false, 0
		return VADSpeechEnd
	}
	return VADNone
}

// Reset forgets any utterance in progress.
func (v *VAD) Reset() { v.speaking, v.voiced, v.silence = false, 0, 0 }
