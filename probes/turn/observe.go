package turn

import (
	"net"
	"sync"
	"sync/atomic"

	"github.com/pion/stun/v4"
)

// observedConn watches the STUN traffic between the pion client and the
// server. It records the last error code (pion reports an unauthenticated
// Allocate answered by anything but 401 only as "attribute not found"),
// the client's mapped address from success responses, and the outcome of
// the ChannelBind pion starts in the background on the first send to a
// peer, so the probe can wait for that transaction instead of leaving it
// running after the probe returns.
type observedConn struct {
	net.PacketConn
	lastCode atomic.Int32
	// mapped is the XOR-MAPPED-ADDRESS of the last success response: the
	// client's address as the server sees it.
	mapped atomic.Pointer[net.UDPAddr]

	bindOnce sync.Once
	bindDone chan struct{}
	// bindCode is 0 after a successful ChannelBind, else the error code.
	bindCode atomic.Int32
}

func newObservedConn(c net.PacketConn) *observedConn {
	return &observedConn{PacketConn: c, bindDone: make(chan struct{})}
}

// ReadFrom reads from the server and records what it saw.
func (c *observedConn) ReadFrom(p []byte) (int, net.Addr, error) {
	n, addr, err := c.PacketConn.ReadFrom(p)
	if err != nil || n < 20 || !stun.IsMessage(p[:n]) {
		return n, addr, err
	}
	m := &stun.Message{Raw: append([]byte(nil), p[:n]...)}
	if m.Decode() != nil {
		return n, addr, err
	}
	switch m.Type.Class {
	case stun.ClassErrorResponse:
		var code stun.ErrorCodeAttribute
		if code.GetFrom(m) == nil {
			c.lastCode.Store(int32(code.Code))
			if m.Type.Method == stun.MethodChannelBind && code.Code != stun.CodeStaleNonce {
				c.bindCode.Store(int32(code.Code))
				c.bindOnce.Do(func() { close(c.bindDone) })
			}
		}
	case stun.ClassSuccessResponse:
		var xor stun.XORMappedAddress
		if xor.GetFrom(m) == nil {
			c.mapped.Store(&net.UDPAddr{IP: xor.IP, Port: xor.Port})
		}
		if m.Type.Method == stun.MethodChannelBind {
			c.bindOnce.Do(func() { close(c.bindDone) })
		}
	}
	return n, addr, err
}
