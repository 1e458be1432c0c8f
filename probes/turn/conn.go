package turn

import (
	"errors"
	"net"
	"sync/atomic"
	"syscall"

	"github.com/pion/stun/v4"
	"github.com/pion/transport/v5"
)

// serverConn adapts a connected UDP socket to the net.PacketConn the pion
// client wants. Connected, because only a connected socket reports ICMP
// port unreachable (as ECONNREFUSED); it also drops and counts datagrams
// that are neither STUN nor ChannelData, which would otherwise stop the
// pion client's read loop.
type serverConn struct {
	transport.UDPConn
	server    net.Addr
	garbage   atomic.Int32
	onRefused func(error)
}

// ReadFrom returns the next STUN or ChannelData datagram from the server.
func (c *serverConn) ReadFrom(p []byte) (int, net.Addr, error) {
	for {
		n, err := c.UDPConn.Read(p)
		if err != nil {
			if errors.Is(err, syscall.ECONNREFUSED) {
				c.onRefused(err)
				continue
			}
			return 0, nil, err
		}
		if !stun.IsMessage(p[:n]) && !isChannelData(p[:n]) {
			c.garbage.Add(1)
			continue
		}
		return n, c.server, nil
	}
}

// WriteTo sends to the server (the only destination of a connected socket).
func (c *serverConn) WriteTo(p []byte, _ net.Addr) (int, error) {
	return c.UDPConn.Write(p)
}

// isChannelData reports whether b starts like a ChannelData message
// (RFC 8656 §12.4: channel numbers 0x4000-0x4FFF).
func isChannelData(b []byte) bool {
	return len(b) >= 4 && b[0]&0xC0 == 0x40
}
