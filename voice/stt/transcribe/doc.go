// Package transcribe is the AWS Transcribe streaming speech-to-text adapter
// of the media core: it implements voice.STT over the documented
// StartStreamTranscription protocol (HTTP/2, POST /stream-transcription, an
// AWS event stream of SigV4-signed AudioEvent messages up, TranscriptEvent
// messages down).
//
// The SDK's transcribestreaming client is not available to this module, so
// the adapter is built on the SDK's own pieces: the event-stream
// encoder/decoder (aws/protocol/eventstream), the SigV4 request signer and
// its StreamSigner for the per-event chunk signatures, and credentials from
// the SDK's default chain (environment, shared files, ECS/EC2 roles).
//
// One recognition request is opened per utterance: on the first chunk of
// speech the stream connects, every chunk is sent as it arrives, and at the
// end of speech the signed empty end frame asks the service to finalise; the
// final result ends the request. A session therefore never idles on an open
// request, so the service's 15 s no-audio timeout only happens when audio
// stops without an end of speech; it is then reported as a timeout and
// handled as the end of the user's turn (the text heard so far is the final
// transcript), and the next utterance opens a new request.
//
// Audio: PCMU calls are decoded to 16-bit little-endian PCM (media encoding
// pcm, 8 kHz, optionally upsampled); Opus calls are sent without decoding,
// each RTP payload wrapped as one packet of an Ogg Opus stream (RFC 7845,
// media encoding ogg-opus).
//
// Errors are classified into the voice.Reason* values and returned as
// *voice.ProviderError from the next Write or EndOfSpeech call (the STT
// stream interface has no other error path); failed requests within an
// utterance are retried a bounded number of times, replaying its audio.
package transcribe
