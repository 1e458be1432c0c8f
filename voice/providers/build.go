package providers

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/voicewatch/voicewatch/voice"
	"github.com/voicewatch/voicewatch/voice/dialog/scripted"
	"github.com/voicewatch/voicewatch/voice/dialog/webhook"
	"github.com/voicewatch/voicewatch/voice/store"
	"github.com/voicewatch/voicewatch/voice/store/dynamo"
	"github.com/voicewatch/voicewatch/voice/stt/transcribe"
	"github.com/voicewatch/voicewatch/voice/tts/elevenlabs"
)

// Build decodes cfg.Providers, applies its defaults, validates it and
// creates the selected providers and store, ready for voice.WithProviders
// and voice.WithStore. cfg's own zero fields take their defaults too (the
// greeting, the store directory). Nothing connects yet: adapters dial when
// a session first needs them.
func Build(ctx context.Context, cfg voice.Config, logger *slog.Logger) (voice.Providers, store.Store, error) {
	var p voice.Providers
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.WithDefaults()
	pc, err := Decode(cfg.Providers)
	if err != nil {
		return p, nil, err
	}
	pc = pc.WithDefaults()
	if err := pc.Validate(); err != nil {
		return p, nil, err
	}
	if p.STT, err = buildSTT(ctx, pc.STT, logger); err != nil {
		return p, nil, fmt.Errorf("providers.stt: %w", err)
	}
	if p.TTS, err = buildTTS(pc.TTS, logger); err != nil {
		return p, nil, fmt.Errorf("providers.tts: %w", err)
	}
	if p.Dialog, err = buildDialog(pc.Dialog, cfg, logger); err != nil {
		return p, nil, fmt.Errorf("providers.dialog: %w", err)
	}
	st, err := buildStore(ctx, pc.Store, cfg, logger)
	if err != nil {
		return p, nil, fmt.Errorf("providers.store: %w", err)
	}
	logger.Info("providers", "stt", p.STT.Name(), "tts", p.TTS.Name(), "dialog", p.Dialog.Name(), "store", pc.Store.Type)
	return p, st, nil
}

func buildSTT(ctx context.Context, c STTConfig, log *slog.Logger) (voice.STT, error) {
	if c.Type == Transcribe {
		return transcribe.New(ctx, *c.Transcribe, transcribe.WithLogger(log))
	}
	return voice.EmbeddedSTT{}, nil
}

func buildTTS(c TTSConfig, log *slog.Logger) (voice.TTS, error) {
	if c.Type == ElevenLabs {
		return elevenlabs.New(*c.ElevenLabs, elevenlabs.WithLogger(log))
	}
	return voice.NewPromptTTS()
}

func buildDialog(c DialogConfig, cfg voice.Config, log *slog.Logger) (voice.Dialog, error) {
	switch c.Type {
	case Scripted:
		return scripted.New(*c.Scripted, scripted.WithLogger(log))
	case Webhook:
		return webhook.New(*c.Webhook, webhook.WithLogger(log))
	}
	return voice.EchoDialog{Greet: *cfg.Audio.Greeting}, nil
}

func buildStore(ctx context.Context, c StoreConfig, cfg voice.Config, log *slog.Logger) (store.Store, error) {
	if c.Type == DynamoDB {
		return dynamo.New(ctx, *c.DynamoDB, dynamo.WithLogger(log))
	}
	return store.NewFileStore(cfg.Store.Dir)
}
