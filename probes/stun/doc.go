// Package stun probes STUN servers: one Binding request per transport (UDP
// and TCP by default, in parallel) with RFC 8489 §6.2.1 retransmissions on
// UDP, reporting the round-trip time, the XOR-MAPPED-ADDRESS and the
// server's SOFTWARE.
package stun
