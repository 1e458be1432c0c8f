// Package vnettest builds small pion vnet worlds for probe tests: a public
// server host (1.2.3.4) running an in-process pion TURN/STUN server, a
// client behind an optional NAT, and knobs to drop packets or make servers
// answer garbage or nothing.
package vnettest

import (
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/logging"
	"github.com/pion/transport/v5/vnet"
	"github.com/pion/turn/v5"
)

// ServerIP is the server host's address on the virtual WAN.
const ServerIP = "1.2.3.4"

// NATIP is the client NAT's public address.
const NATIP = "1.2.3.5"

// Test credentials of the in-process TURN server.
const (
	User     = "vuser"
	Password = "vpass"
	Realm    = "vnet.test"
)

// World is a virtual network with a server host and a client host.
type World struct {
	// Server is the public host (ServerIP).
	Server *vnet.Net
	// Client is the probing host, behind NAT when Options.NAT is set.
	Client *vnet.Net

	wan  *vnet.Router
	drop atomic.Int32
}

// Options shape the world.
type Options struct {
	// NAT puts the client behind an endpoint-independent-mapping NAT
	// (address-dependent filtering) at NATIP; otherwise the client is on
	// the WAN at 1.2.3.10.
	NAT bool
	// RelayLossPercent drops this share of the packets a TURN relay sends
	// on to its peers (from ServerIP, any port but the server's 3478):
	// data through the relay is lost, the TURN transactions are not.
	RelayLossPercent int
	// Delay holds every packet the client receives this long (vnet's
	// delay filter; without NAT only).
	Delay time.Duration
}

// New builds and starts a world; it stops at test cleanup.
func New(t testing.TB, opts Options) *World {
	t.Helper()
	lf := logging.NewDefaultLoggerFactory()
	lf.DefaultLogLevel = logging.LogLevelDisabled
	w := &World{}
	var err error
	w.wan, err = vnet.NewRouter(&vnet.RouterConfig{CIDR: "1.2.3.0/24", LoggerFactory: lf})
	must(t, err)
	w.Server, err = vnet.NewNet(&vnet.NetConfig{StaticIPs: []string{ServerIP}})
	must(t, err)
	must(t, w.wan.AddNet(w.Server))
	if opts.NAT {
		lan, err := vnet.NewRouter(&vnet.RouterConfig{
			StaticIPs: []string{NATIP}, CIDR: "192.168.0.0/24", LoggerFactory: lf,
			NATType: &vnet.NATType{MappingBehavior: vnet.EndpointIndependent, FilteringBehavior: vnet.EndpointAddrDependent},
		})
		must(t, err)
		w.Client, err = vnet.NewNet(&vnet.NetConfig{})
		must(t, err)
		must(t, lan.AddNet(w.Client))
		must(t, w.wan.AddRouter(lan))
	} else {
		w.Client, err = vnet.NewNet(&vnet.NetConfig{StaticIPs: []string{"1.2.3.10"}})
		must(t, err)
		var nic vnet.NIC = w.Client
		if opts.Delay > 0 {
			df, err := vnet.NewDelayFilter(nic, vnet.WithDelay(opts.Delay))
			must(t, err)
			t.Cleanup(func() { _ = df.Close() })
			nic = df
		}
		must(t, w.wan.AddNet(nic))
	}
	if opts.RelayLossPercent > 0 {
		w.wan.AddChunkFilter(func(c vnet.Chunk) bool {
			src, ok := c.SourceAddr().(*net.UDPAddr)
			relayed := ok && src.IP.String() == ServerIP && src.Port != 3478
			return !relayed || rand.IntN(100) >= opts.RelayLossPercent
		})
	}
	// Drop the next N packets addressed to the server (see DropNext).
	w.wan.AddChunkFilter(func(c vnet.Chunk) bool {
		dst, ok := c.DestinationAddr().(*net.UDPAddr)
		if ok && dst.IP.String() == ServerIP {
			for {
				n := w.drop.Load()
				if n <= 0 {
					return true
				}
				if w.drop.CompareAndSwap(n, n-1) {
					return false
				}
			}
		}
		return true
	})
	must(t, w.wan.Start())
	t.Cleanup(func() { _ = w.wan.Stop() })
	return w
}

// DropNext drops the next n packets sent to the server host.
func (w *World) DropNext(n int) { w.drop.Store(int32(n)) }

// StartTURN runs a pion TURN server (which also answers STUN Binding) on
// ServerIP:port; it stops at test cleanup.
func (w *World) StartTURN(t testing.TB, port string) string {
	t.Helper()
	addr := net.JoinHostPort(ServerIP, port)
	pc, err := w.Server.ListenPacket("udp4", addr)
	must(t, err)
	key := turn.GenerateAuthKey(User, Realm, Password)
	lf := logging.NewDefaultLoggerFactory()
	lf.DefaultLogLevel = logging.LogLevelDisabled
	srv, err := turn.NewServer(turn.ServerConfig{
		Realm: Realm,
		AuthHandler: func(ra *turn.RequestAttributes) (string, []byte, bool) {
			if ra.Username == User {
				return User, key, true
			}
			return "", nil, false
		},
		PacketConnConfigs: []turn.PacketConnConfig{{
			PacketConn:            pc,
			RelayAddressGenerator: &turn.RelayAddressGeneratorNone{Address: ServerIP, Net: w.Server},
		}},
		LoggerFactory: lf,
	})
	must(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	return addr
}

// StartServer runs the TURN server on ServerIP:port, or, when reply is not
// nil, a responder answering with reply (see StartResponder).
func (w *World) StartServer(t testing.TB, port string, reply func([]byte) []byte) string {
	t.Helper()
	if reply == nil {
		return w.StartTURN(t, port)
	}
	return w.StartResponder(t, port, reply)
}

// StartResponder runs a UDP server on ServerIP:port that answers every
// datagram with reply(datagram) (nil: no answer). It stops at cleanup.
func (w *World) StartResponder(t testing.TB, port string, reply func([]byte) []byte) string {
	t.Helper()
	addr := net.JoinHostPort(ServerIP, port)
	pc, err := w.Server.ListenPacket("udp4", addr)
	must(t, err)
	var wg sync.WaitGroup
	wg.Go(func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if out := reply(buf[:n]); out != nil {
				_, _ = pc.WriteTo(out, from)
			}
		}
	})
	t.Cleanup(func() { _ = pc.Close(); wg.Wait() })
	return addr
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("vnettest: %v", err)
	}
}
