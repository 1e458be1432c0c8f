// Package dynamotest is an in-process DynamoDB endpoint for tests: the AWS
// JSON 1.0 protocol (POST /, X-Amz-Target: DynamoDB_20120810.<Op>) for
// PutItem and GetItem on in-memory tables, with real condition-expression
// semantics for the expressions the session store uses and the service's
// validation of them (undefined or unused #names and :values are rejected),
// the service's error shapes (__type, message) and response CRC32. It
// fails on demand like the service: throttling
// (ProvisionedThroughputExceededException, ThrottlingException), 5xx and
// hung connections.
package dynamotest
