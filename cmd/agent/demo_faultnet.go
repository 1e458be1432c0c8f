//go:build !sidecaronly

package main

import (
	"encoding/binary"
	"io"
	"net"
	"sync/atomic"

	"github.com/pion/transport/v5"
)

// isBinding reports whether b starts with a STUN Binding message (RFC 8489
// §5: two zero bits, the method in the type's M bits, the magic cookie):
// what a STUN server answers. Everything else a TURN server reads — Allocate,
// Refresh, CreatePermission, ChannelBind, Send indications, ChannelData — is
// TURN (RFC 8656).
func isBinding(b []byte) bool {
	if len(b) < 20 || b[0]&0xc0 != 0 || binary.BigEndian.Uint32(b[4:8]) != 0x2112A442 {
		return false
	}
	t := binary.BigEndian.Uint16(b[0:2])
	method := t&0x000f | (t&0x00e0)>>1 | (t&0x3e00)>>2
	return method == 0x001
}

// dropsPacket reports whether the stun-dead or turn-dead fault swallows
// packet b.
func dropsPacket(b []byte, stunDead, turnDead *atomic.Bool) bool {
	if isBinding(b) {
		return stunDead.Load()
	}
	return turnDead.Load()
}

// faultPacketConn is the embedded STUN/TURN server's UDP socket with the
// stun-dead and turn-dead faults: a dropped request is never answered, as
// from a server that is down or filtered.
type faultPacketConn struct {
	net.PacketConn
	stunDead, turnDead *atomic.Bool
}

func (c *faultPacketConn) ReadFrom(p []byte) (int, net.Addr, error) {
	for {
		n, addr, err := c.PacketConn.ReadFrom(p)
		if err != nil || !dropsPacket(p[:n], c.stunDead, c.turnDead) {
			return n, addr, err
		}
	}
}

// faultListener is the server's TCP listener with the same faults: a
// connection is STUN or TURN by its first message, and one whose kind is
// dead is read and never answered (a later message on a connection whose
// kind died is dropped too).
type faultListener struct {
	net.Listener
	stunDead, turnDead *atomic.Bool
}

func (l *faultListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &faultConn{Conn: c, l: l}, nil
}

type faultConn struct {
	net.Conn
	l       *faultListener
	decided bool
	binding bool
}

func (c *faultConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && !c.decided {
		c.decided, c.binding = true, isBinding(p[:n])
	}
	dead := c.l.turnDead
	if c.binding {
		dead = c.l.stunDead
	}
	if err != nil || !dead.Load() {
		return n, err
	}
	// Dead: swallow what the client sends until it gives up, never answer.
	if _, err := io.Copy(io.Discard, c.Conn); err != nil {
		return 0, err
	}
	return 0, io.EOF
}

// udpBlockedNet is the media core's network with the udp-blocked fault:
// while it is on, every UDP datagram the media core sends is dropped and
// every one it receives is discarded, as with a closed UDP port range in a
// security group. TCP (signalling, TURN over TCP) is untouched.
type udpBlockedNet struct {
	transport.Net
	blocked *atomic.Bool
}

func (n *udpBlockedNet) ListenPacket(network, address string) (net.PacketConn, error) {
	c, err := n.Net.ListenPacket(network, address)
	if err != nil {
		return nil, err
	}
	return &blockedPacketConn{PacketConn: c, blocked: n.blocked}, nil
}

func (n *udpBlockedNet) ListenUDP(network string, laddr *net.UDPAddr) (transport.UDPConn, error) {
	c, err := n.Net.ListenUDP(network, laddr)
	if err != nil {
		return nil, err
	}
	return &blockedUDPConn{UDPConn: c, blocked: n.blocked}, nil
}

func (n *udpBlockedNet) DialUDP(network string, laddr, raddr *net.UDPAddr) (transport.UDPConn, error) {
	c, err := n.Net.DialUDP(network, laddr, raddr)
	if err != nil {
		return nil, err
	}
	return &blockedUDPConn{UDPConn: c, blocked: n.blocked}, nil
}

type blockedPacketConn struct {
	net.PacketConn
	blocked *atomic.Bool
}

func (c *blockedPacketConn) ReadFrom(p []byte) (int, net.Addr, error) {
	for {
		n, addr, err := c.PacketConn.ReadFrom(p)
		if err != nil || !c.blocked.Load() {
			return n, addr, err
		}
	}
}

func (c *blockedPacketConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	if c.blocked.Load() {
		return len(p), nil
	}
	return c.PacketConn.WriteTo(p, addr)
}

type blockedUDPConn struct {
	transport.UDPConn
	blocked *atomic.Bool
}

func (c *blockedUDPConn) Read(p []byte) (int, error) {
	for {
		n, err := c.UDPConn.Read(p)
		if err != nil || !c.blocked.Load() {
			return n, err
		}
	}
}

func (c *blockedUDPConn) ReadFrom(p []byte) (int, net.Addr, error) {
	for {
		n, addr, err := c.UDPConn.ReadFrom(p)
		if err != nil || !c.blocked.Load() {
			return n, addr, err
		}
	}
}

func (c *blockedUDPConn) ReadFromUDP(p []byte) (int, *net.UDPAddr, error) {
	for {
		n, addr, err := c.UDPConn.ReadFromUDP(p)
		if err != nil || !c.blocked.Load() {
			return n, addr, err
		}
	}
}

func (c *blockedUDPConn) ReadMsgUDP(p, oob []byte) (int, int, int, *net.UDPAddr, error) {
	for {
		n, oobn, flags, addr, err := c.UDPConn.ReadMsgUDP(p, oob)
		if err != nil || !c.blocked.Load() {
			return n, oobn, flags, addr, err
		}
	}
}

func (c *blockedUDPConn) Write(p []byte) (int, error) {
	if c.blocked.Load() {
		return len(p), nil
	}
	return c.UDPConn.Write(p)
}

func (c *blockedUDPConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	if c.blocked.Load() {
		return len(p), nil
	}
	return c.UDPConn.WriteTo(p, addr)
}

func (c *blockedUDPConn) WriteToUDP(p []byte, addr *net.UDPAddr) (int, error) {
	if c.blocked.Load() {
		return len(p), nil
	}
	return c.UDPConn.WriteToUDP(p, addr)
}

func (c *blockedUDPConn) WriteMsgUDP(p, oob []byte, addr *net.UDPAddr) (int, int, error) {
	if c.blocked.Load() {
		return len(p), len(oob), nil
	}
	return c.UDPConn.WriteMsgUDP(p, oob, addr)
}
