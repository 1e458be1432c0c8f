// Package providers turns the `providers:` section of voice.yaml into the
// media core's STT, dialog and TTS and its session store: embedded (offline)
// by default, or AWS Transcribe streaming, ElevenLabs, a scripted form or a
// webhook dialog, and DynamoDB. It lives outside package voice because the
// adapters import voice for its interfaces.
//
//	srv, err := voice.New(cfg, voice.WithProviders(p), voice.WithStore(st))
//
// Credentials never appear in voice.yaml: AWS ones come from the SDK's
// default chain, the ElevenLabs key and webhook token from a file or an
// environment variable. See docs/providers.md.
package providers
