package turn

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // TURN REST credentials are defined with HMAC-SHA1.
	"encoding/base64"
	"strconv"
	"time"
)

// RESTCredentials derives TURN REST API credentials from a shared secret
// (the coturn use-auth-secret scheme, draft-uberti-behave-turn-rest):
// username = "<expiry-unix>:<user>", password = base64(HMAC-SHA1(secret,
// username)).
func RESTCredentials(secret, user string, expiry time.Time) (username, password string) {
	username = strconv.FormatInt(expiry.Unix(), 10) + ":" + user
	mac := hmac.New(sha1.New, []byte(secret))
	_, _ = mac.Write([]byte(username))
	return username, base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
