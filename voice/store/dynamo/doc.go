// Package dynamo is the DynamoDB adapter of the session store: it
// implements store.Store with PutItem (a condition on the record version,
// so concurrent writers cannot overwrite each other, and a TTL attribute so
// old sessions expire) and GetItem (strongly consistent).
//
// It uses aws-sdk-go-v2's DynamoDB client (the AWS JSON 1.0 protocol) with
// credentials from the SDK default chain only. Throttling
// (ProvisionedThroughputExceededException, ThrottlingException) is retried
// by the SDK's standard retryer with exponential backoff and jitter; when
// the attempts are exhausted Put returns store.ErrThrottled, and a failed
// version condition returns store.ErrConflict. The media core counts both
// in voice_store_writes_total{result}.
package dynamo
