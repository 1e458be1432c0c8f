// Package otlpseam holds the tests of voicewatch's OTLP output against the
// OpenTelemetry Collector's own OTLP receiver, run in process: the media
// core's session traces and the sidecar's metrics must arrive decoded as
// the Collector sees them. It has no code of its own.
package otlpseam
