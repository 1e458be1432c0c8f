// Package webhook is a dialog that asks an HTTP endpoint for each reply, so
// users plug in their own LLM or backend. Each turn is a POST of
//
//	{"session_id": "...", "turn": 1, "transcript": "...", "timed_out": false}
//
// (turn 0 with an empty transcript asks for the greeting), answered with
//
//	{"text": "...", "hangup": false}
//
// within Config.Timeout. Failures are classified *voice.ProviderError
// values (timeout, auth, throttled, network, other).
package webhook
