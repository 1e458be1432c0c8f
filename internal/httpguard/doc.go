// Package httpguard is the HTTP guard shared by the voicewatch media core and
// the sidecar's log classifier.
//
// It has two halves:
//
//   - a scanner classifier, [Classify], that maps a request line (method and
//     request-target) to a bounded [Pattern] label such as "weblogic" or
//     "path_traversal". It is cheap enough to run on every log line: no
//     regular expressions, no allocations, one pass over the target with
//     on-the-fly single and double percent-decoding. [EREs] exports
//     equivalent POSIX extended regular expressions for grep baselines and
//     documentation;
//   - an HTTP middleware, [Guard], that rejects scanner traffic cheaply
//     (404, or 405 for unknown methods, without reading the body), rate
//     limits per real client IP (resolved from X-Forwarded-For only behind a
//     configured trusted proxy range, see [ClientIP]), enforces a request
//     body limit, and stores the resolved client IP in the request context
//     ([ClientIPFrom]).
//
// The guard never logs and owns no metrics itself: it reports to an
// [Observer] supplied by the caller, which counts and logs at the level it
// chooses. It starts no goroutines.
package httpguard
