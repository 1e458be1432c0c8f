// Package httpguard is the HTTP guard shared by the voicewatch media core and
// the sidecar's log classifier.
//
// It has two halves:
//
//   - a scanner classifier, [Classify] and [Classifier.Classify], that maps
//     a request (method, request-target and User-Agent) to a bounded
//     [Pattern] label such as "weblogic", "sql_injection" or
//     "scanner_agent": exploit paths, payloads in the target and the
//     User-Agent in the spirit of the OWASP Core Rule Set, and, with a route
//     allow-list ([Routes]), paths the application does not serve
//     ("unknown_route"). It is cheap enough to run on every request and log
//     line: no regular expressions, no allocations, one pass over each
//     field with on-the-fly single and double percent-decoding. [EREs]
//     exports equivalent POSIX extended regular expressions for grep
//     baselines; [DecodedRegexps] and [Routes.Regexp] spell the same
//     signatures for engines that see decoded text (the AWS WAF rules of
//     internal/waf). The labelled corpus testdata/requests.tsv (see
//     httpguardtest) measures all of them;
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
