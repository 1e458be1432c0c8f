// Package turncred derives TURN REST API ephemeral credentials from a shared
// secret, as coturn's use-auth-secret / static-auth-secret expects
// (draft-uberti-behave-turn-rest-00 §2.2).
package turncred

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // mandated by the TURN REST scheme
	"encoding/base64"
	"strconv"
	"time"
)

// REST returns the username "<expiry-unix>:<user>" (or just the expiry when
// user is empty) and the password base64(HMAC-SHA1(secret, username)), valid
// until now+ttl.
func REST(secret, user string, ttl time.Duration, now time.Time) (username, password string) {
	username = strconv.FormatInt(now.Add(ttl).Unix(), 10)
	if user != "" {
		username += ":" + user
	}
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(username))
	return username, base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
