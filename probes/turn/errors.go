package turn

import "errors"

var (
	// ErrBadURI: the target is not a turn: or turns: URI.
	ErrBadURI = errors.New("turn: bad URI")
	// ErrNoCredentials: neither a username/password nor a secret was given.
	ErrNoCredentials = errors.New("turn: no credentials (username+password or secret)")
	// ErrEchoMismatch: the data that came back through the relay differs.
	ErrEchoMismatch = errors.New("turn: relayed data came back altered")
	// ErrMalformed: the server sent bytes that are neither STUN nor ChannelData.
	ErrMalformed = errors.New("turn: server sent non-STUN data")
	// ErrRefused: the server's port answered ICMP port unreachable.
	ErrRefused = errors.New("turn: connection refused (ICMP port unreachable)")
	// ErrCAFile: the pinned CA file could not be used.
	ErrCAFile = errors.New("turn: bad ca_file")
	// ErrNoEcho: data went into the relay and none came back.
	ErrNoEcho = errors.New("turn: no echo through the relay")
)
