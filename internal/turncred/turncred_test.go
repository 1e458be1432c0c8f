package turncred

import (
	"testing"
	"time"
)

// The expected password was computed with coturn's documented recipe:
// echo -n "1700086400:alice" | openssl dgst -binary -sha1 -hmac s3cret | base64
func TestREST(t *testing.T) {
	u, p := REST("s3cret", "alice", 24*time.Hour, time.Unix(1700000000, 0))
	if u != "1700086400:alice" {
		t.Fatalf("username %q", u)
	}
	if p != "HJX0XIkrCiQCuU88Z0oeXj+QW60=" {
		t.Fatalf("password %q", p)
	}
}
