// Package awstest provides in-process test servers for the AWS APIs that
// voicewatch calls: CloudWatch (Smithy RPC v2 CBOR, as spoken by
// aws-sdk-go-v2/service/cloudwatch v1.75+), CloudWatch Logs and AWS WAF
// (AWS JSON 1.1), Elastic Load Balancing v2 (the query protocol) and S3
// (REST-XML, path-style).
//
// The servers listen on 127.0.0.1 (httptest), decode exactly what the real SDK
// clients send, store it behind concurrency-safe accessors, and answer in the
// shapes the SDK decodes into its typed results and errors. Both servers can
// inject faults (throttling, 5xx, hanging requests) and count requests per
// operation, so retry, backoff and buffering code can be tested against the
// real SDK clients without an AWS account or network access.
package awstest
