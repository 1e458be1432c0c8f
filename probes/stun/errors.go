package stun

import "errors"

var (
	// ErrNoResponse: no response after all retransmissions (RFC 8489 §6.2.1).
	ErrNoResponse = errors.New("stun: no response")
	// ErrMalformed: the server sent bytes that are not a STUN response.
	ErrMalformed = errors.New("stun: malformed response")
	// ErrErrorResponse: the server answered with a Binding error response.
	ErrErrorResponse = errors.New("stun: error response")
	// ErrNoMappedAddress: the success response had no (XOR-)MAPPED-ADDRESS.
	ErrNoMappedAddress = errors.New("stun: response without XOR-MAPPED-ADDRESS")
	// ErrBadURI: the target is not a stun: or stuns: URI.
	ErrBadURI = errors.New("stun: bad URI")
	// ErrBadTransport: a transport other than udp or tcp was configured.
	ErrBadTransport = errors.New("stun: bad transport")
)
