// Package transcribetest is an in-process AWS Transcribe streaming endpoint
// for tests: HTTP/2 without TLS (h2c, prior knowledge) on 127.0.0.1,
// speaking StartStreamTranscription as documented. It verifies the SigV4
// request signature and every event's chunk signature (with the SDK's own
// signer), decodes the AudioEvent stream with the SDK's event-stream
// decoder, checks Ogg Opus streams page by page, and answers each request
// with scripted TranscriptEvents: partials while audio arrives, the final
// result after the client's end frame.
//
// It fails like the real service on demand: the no-audio timeout (15 s,
// shorter for tests) as a BadRequestException event, HTTP errors
// (BadRequestException, LimitExceededException throttling, 5xx, auth), an
// exception in the middle of the stream, and hung connections.
package transcribetest
