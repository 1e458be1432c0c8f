// Package turn probes TURN servers end to end (RFC 8656): Allocate over UDP,
// TCP or TLS with long-term or TURN REST credentials, CreatePermission for
// an echo peer the probe runs itself, data through the relay and back (the
// relay RTT), Refresh, and a clean deallocation (Refresh with lifetime 0).
// TURN error codes map to distinct reasons: 401 bad_credentials, 438
// stale_nonce, 403 forbidden_peer, 486 allocation_quota.
package turn
