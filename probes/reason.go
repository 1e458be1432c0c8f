package probes

// Reason is why a probe failed, from a bounded set a person can act on. It is
// used as a metric label value, so never build one from input.
type Reason string

// Failure reasons. Each names what to check.
const (
	// ReasonDNS: the target's host name did not resolve.
	ReasonDNS Reason = "dns"
	// ReasonUnreachable: connection refused, ICMP unreachable, no route.
	ReasonUnreachable Reason = "unreachable"
	// ReasonTimeout: no answer within the probe timeout.
	ReasonTimeout Reason = "timeout"
	// ReasonBadCredentials: TURN 401 Unauthorized after authenticating, or
	// HTTP 401/403 from the WHIP endpoint.
	ReasonBadCredentials Reason = "bad_credentials"
	// ReasonStaleNonce: TURN 438 Stale Nonce that did not clear on retry.
	ReasonStaleNonce Reason = "stale_nonce"
	// ReasonForbiddenPeer: TURN 403 Forbidden on CreatePermission (the
	// server refuses that peer address).
	ReasonForbiddenPeer Reason = "forbidden_peer"
	// ReasonAllocationQuota: TURN 486 Allocation Quota Reached or 508
	// Insufficient Capacity (the relay port range is used up).
	ReasonAllocationQuota Reason = "allocation_quota"
	// ReasonTLS: TLS handshake or certificate verification failed.
	ReasonTLS Reason = "tls"
	// ReasonProtocol: the server answered something that is not a valid
	// response (garbage, wrong transaction, missing attribute).
	ReasonProtocol Reason = "protocol"
	// ReasonICEFailed: ICE did not connect (no working candidate pair).
	ReasonICEFailed Reason = "ice_failed"
	// ReasonDTLSFailed: ICE connected but the DTLS handshake failed.
	ReasonDTLSFailed Reason = "dtls_failed"
	// ReasonNoAudio: the call connected but no audio came back.
	ReasonNoAudio Reason = "no_audio"
	// ReasonAssertion: the probe worked but an assertion failed (a phase too
	// slow, a required candidate type missing, a success ratio too low).
	ReasonAssertion Reason = "assertion"
	// ReasonHTTPStatus: an HTTP endpoint answered an unexpected status.
	ReasonHTTPStatus Reason = "http_status"
	// ReasonSignaling: WHIP signaling failed (bad status, bad SDP, missing
	// Location).
	ReasonSignaling Reason = "signaling"
	// ReasonConfig: the probe is misconfigured (bad URI, missing credential).
	ReasonConfig Reason = "config"
	// ReasonOther: anything not classified above; the message has details.
	ReasonOther Reason = "other"
)

// Reasons lists every Reason, in documentation order.
var Reasons = []Reason{
	ReasonDNS, ReasonUnreachable, ReasonTimeout, ReasonBadCredentials,
	ReasonStaleNonce, ReasonForbiddenPeer, ReasonAllocationQuota, ReasonTLS,
	ReasonProtocol, ReasonICEFailed, ReasonDTLSFailed, ReasonNoAudio,
	ReasonAssertion, ReasonHTTPStatus, ReasonSignaling, ReasonConfig, ReasonOther,
}

// Hint returns what a person should check for this reason, one sentence.
func (r Reason) Hint() string {
	switch r {
	case ReasonDNS:
		return "check the host name and the resolver"
	case ReasonUnreachable:
		return "check that the server runs and that firewalls/security groups open the port"
	case ReasonTimeout:
		return "check UDP/TCP reachability (a silent drop looks like this) and server load"
	case ReasonBadCredentials:
		return "check the username/password or the shared secret and the realm"
	case ReasonStaleNonce:
		return "check clock skew and the server's nonce lifetime"
	case ReasonForbiddenPeer:
		return "check the server's denied-peer-ip / allow-loopback-peers settings"
	case ReasonAllocationQuota:
		return "check the server's user-quota / total-quota, its relay port range (min-port/max-port) and leaked allocations"
	case ReasonTLS:
		return "check the certificate chain, its host name and the pinned CA"
	case ReasonProtocol:
		return "check that the target is really a STUN/TURN server on that port"
	case ReasonICEFailed:
		return "check the ICE servers, UDP port range and relay reachability"
	case ReasonDTLSFailed:
		return "check for middleboxes dropping DTLS and the agent's certificate"
	case ReasonNoAudio:
		return "check the agent's media pipeline (VAD, STT, TTS) and its logs"
	case ReasonAssertion:
		return "the probe worked but missed an assertion; see the message"
	case ReasonHTTPStatus:
		return "check the endpoint's logs for why it returned that status"
	case ReasonSignaling:
		return "check the WHIP endpoint, its token and its logs"
	case ReasonConfig:
		return "fix the probe configuration"
	default:
		return "see the message"
	}
}
