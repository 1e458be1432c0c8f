// Package voicetest holds test helpers for the media core (package voice)
// and its providers (package voice/providers): a concurrency-safe log
// buffer for slog's JSON handler, Prometheus readers, polling helpers and a
// pion WHIP test caller.
//
// It must not import package voice: voice's internal tests import it.
// Whatever it needs from the media core (base URL, token, metric names, an
// Opus frame to speak) is passed in.
package voicetest
