// Package logs derives metrics and reports from a voice agent's logs.
//
// Every line goes through the same three steps: a Parser turns it into an
// Entry (voicewatch JSON events, AWS ALB access logs, CloudFront standard
// logs, AWS WAF logs, common/combined access logs, or a regex rule set in
// YAML for foreign logs such as the incident's Python bot, whose value
// captures turn logged numbers into histograms), the shared HTTP classifier
// (internal/httpguard) marks request lines as scanner traffic or legitimate
// by method, target, User-Agent and the application's routes, and the
// result is either counted as Prometheus metrics (Metrics, Pipeline) or
// summarised (Report, BuildReport, which reads files, stdin, CloudWatch Logs
// and S3, gzip or not).
//
// Every line is exactly one of legitimate, scanner or unparsable. Errors count
// legitimate traffic only: a scanner's 404 is not an error, a legitimate 5xx
// always is.
package logs
