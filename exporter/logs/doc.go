// Package logs derives metrics and reports from a voice agent's logs.
//
// Every line goes through the same three steps: a Parser turns it into an
// Entry (voicewatch JSON events, AWS ALB access logs, common/combined access
// logs, or a regex rule set in YAML for foreign logs such as the incident's
// Python bot), the shared HTTP classifier (internal/httpguard) marks request
// lines as scanner traffic or legitimate, and the result is either counted as
// Prometheus metrics (Metrics, Pipeline) or summarised (Report, BuildReport).
//
// Every line is exactly one of legitimate, scanner or unparsable. Errors count
// legitimate traffic only: a scanner's 404 is not an error, a legitimate 5xx
// always is.
package logs
