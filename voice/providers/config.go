package providers

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/voicewatch/voicewatch/voice/dialog/scripted"
	"github.com/voicewatch/voicewatch/voice/dialog/webhook"
	"github.com/voicewatch/voicewatch/voice/store/dynamo"
	"github.com/voicewatch/voicewatch/voice/stt/transcribe"
	"github.com/voicewatch/voicewatch/voice/tts/elevenlabs"
)

// Config is the `providers:` section of voice.yaml. Every part defaults to
// the embedded, offline implementation.
type Config struct {
	// STT selects speech-to-text.
	STT STTConfig `yaml:"stt"`
	// TTS selects text-to-speech.
	TTS TTSConfig `yaml:"tts"`
	// Dialog selects the conversation logic.
	Dialog DialogConfig `yaml:"dialog"`
	// Store selects where sessions are saved.
	Store StoreConfig `yaml:"store"`
}

// Provider types.
const (
	Embedded   = "embedded"
	Transcribe = "transcribe"
	ElevenLabs = "elevenlabs"
	Echo       = "echo"
	Scripted   = "scripted"
	Webhook    = "webhook"
	File       = "file"
	DynamoDB   = "dynamodb"
)

// STTConfig selects speech-to-text.
type STTConfig struct {
	// Type is embedded (default: utterances without words) or transcribe
	// (AWS Transcribe streaming; credentials from the AWS SDK default chain).
	Type string `yaml:"type"`
	// Transcribe configures type transcribe.
	Transcribe *transcribe.Config `yaml:"transcribe"`
}

// TTSConfig selects text-to-speech.
type TTSConfig struct {
	// Type is embedded (default: recorded prompts and beeps) or elevenlabs
	// (key from api_key_file or ELEVENLABS_API_KEY).
	Type string `yaml:"type"`
	// ElevenLabs configures type elevenlabs.
	ElevenLabs *elevenlabs.Config `yaml:"elevenlabs"`
}

// DialogConfig selects the dialog.
type DialogConfig struct {
	// Type is echo (default), scripted or webhook.
	Type string `yaml:"type"`
	// Scripted configures type scripted (a form script, inline or file).
	Scripted *scripted.Config `yaml:"scripted"`
	// Webhook configures type webhook.
	Webhook *webhook.Config `yaml:"webhook"`
}

// StoreConfig selects the session store.
type StoreConfig struct {
	// Type is file (default: voice.yaml's store.dir) or dynamodb.
	Type string `yaml:"type"`
	// DynamoDB configures type dynamodb (credentials and, unless set, the
	// region from the AWS SDK default chain).
	DynamoDB *dynamo.Config `yaml:"dynamodb"`
}

// Decode reads the raw providers section strictly: unknown fields are
// errors, reported at their line in voice.yaml. An empty node is the
// all-embedded default. It does not validate.
func Decode(n yaml.Node) (Config, error) {
	var c Config
	if n.Kind == 0 {
		return c, nil
	}
	b, err := yaml.Marshal(&n)
	if err != nil {
		return c, fmt.Errorf("providers: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return c, fmt.Errorf("providers: %s", relines(err.Error(), n.Line-1))
	}
	return c, nil
}

var lineRE = regexp.MustCompile(`line (\d+)`)

// relines shifts "line N" in a yaml error by off, so it points into
// voice.yaml rather than into the re-encoded section.
func relines(msg string, off int) string {
	if off <= 0 {
		return msg
	}
	return lineRE.ReplaceAllStringFunc(msg, func(m string) string {
		n, _ := strconv.Atoi(m[len("line "):])
		return "line " + strconv.Itoa(n+off)
	})
}

// WithDefaults returns c with every unset type set to its default (the
// embedded STT and TTS, the echo dialog, the file store) and an AWS
// Transcribe selection without settings given empty ones (every field of
// transcribe.Config has a default).
func (c Config) WithDefaults() Config {
	c.STT.Type = cmp.Or(c.STT.Type, Embedded)
	c.TTS.Type = cmp.Or(c.TTS.Type, Embedded)
	c.Dialog.Type = cmp.Or(c.Dialog.Type, Echo)
	c.Store.Type = cmp.Or(c.Store.Type, File)
	if c.STT.Type == Transcribe && c.STT.Transcribe == nil {
		c.STT.Transcribe = &transcribe.Config{}
	}
	return c
}

// Validate checks the selection of a config with defaults applied
// (WithDefaults), saying what to fix. Each adapter's own settings are
// validated when Build creates it.
func (c Config) Validate() error {
	var errs []error
	pick := func(field, v string, allowed ...string) {
		for _, a := range allowed {
			if v == a {
				return
			}
		}
		errs = append(errs, fmt.Errorf("providers.%s.type %q: want one of %v", field, v, allowed))
	}
	pick("stt", c.STT.Type, Embedded, Transcribe)
	pick("tts", c.TTS.Type, Embedded, ElevenLabs)
	pick("dialog", c.Dialog.Type, Echo, Scripted, Webhook)
	pick("store", c.Store.Type, File, DynamoDB)
	need := func(ok bool, field, block string) {
		if !ok {
			errs = append(errs, fmt.Errorf("providers.%s: type %s needs its settings under providers.%s.%s", field, block, field, block))
		}
	}
	if c.TTS.Type == ElevenLabs {
		need(c.TTS.ElevenLabs != nil, "tts", ElevenLabs)
	}
	if c.Store.Type == DynamoDB {
		need(c.Store.DynamoDB != nil, "store", DynamoDB)
	}
	switch c.Dialog.Type {
	case Scripted:
		need(c.Dialog.Scripted != nil, "dialog", Scripted)
	case Webhook:
		need(c.Dialog.Webhook != nil, "dialog", Webhook)
	}
	return errors.Join(errs...)
}
