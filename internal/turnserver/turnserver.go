// Package turnserver runs an embedded STUN/TURN server (pion/turn) for
// `agent demo` and for tests on pion's vnet. Production uses coturn; this
// server exists so the demo needs nothing installed.
package turnserver

import (
	"errors"
	"fmt"
	"net"

	"github.com/pion/logging"
	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/stdnet"
	"github.com/pion/turn/v5"
)

// Config configures the server.
type Config struct {
	// Listen is the UDP and TCP address, e.g. 127.0.0.1:3478. Port 0 picks
	// a free port (UDP and TCP may then differ; see Server.UDPAddr/TCPAddr).
	Listen string
	// RelayIP is the address relays are announced on (and bound to). Default:
	// the Listen host.
	RelayIP string
	// Realm for long-term credentials. Default "voicewatch".
	Realm string
	// Users maps usernames to passwords (long-term credentials).
	Users map[string]string
	// Secret, when set, also accepts TURN REST credentials (coturn's
	// use-auth-secret).
	Secret string
	// Net is the network (nil = the real one; a vnet in tests).
	Net transport.Net
	// NoTCP disables the TCP listener.
	NoTCP bool
	// WrapPacketConn and WrapListener, when set, wrap the UDP socket and
	// the TCP listener the server reads from (agent demo injects faults
	// this way: a STUN or TURN server that stops answering).
	WrapPacketConn func(net.PacketConn) net.PacketConn
	WrapListener   func(net.Listener) net.Listener
}

// Server is a running STUN/TURN server.
type Server struct {
	srv     *turn.Server
	udpAddr net.Addr
	tcpAddr net.Addr
}

// Start listens and serves until Close.
func Start(cfg Config) (*Server, error) {
	if cfg.Realm == "" {
		cfg.Realm = "voicewatch"
	}
	host, _, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("turnserver: listen %q: %w", cfg.Listen, err)
	}
	if cfg.RelayIP == "" {
		cfg.RelayIP = host
	}
	tnet := cfg.Net
	if tnet == nil {
		if tnet, err = stdnet.NewNet(); err != nil {
			return nil, fmt.Errorf("turnserver: %w", err)
		}
	}
	keys := map[string][]byte{}
	for u, p := range cfg.Users {
		keys[u] = turn.GenerateAuthKey(u, cfg.Realm, p)
	}
	lf := logging.NewDefaultLoggerFactory()
	lf.DefaultLogLevel = logging.LogLevelError
	var rest turn.AuthHandler
	if cfg.Secret != "" {
		rest = turn.LongTermTURNRESTAuthHandler(cfg.Secret, lf.NewLogger("turn"))
	}
	auth := func(ra *turn.RequestAttributes) (string, []byte, bool) {
		if k, ok := keys[ra.Username]; ok {
			return ra.Username, k, true
		}
		if rest != nil {
			return rest(ra)
		}
		return "", nil, false
	}
	udp, err := tnet.ListenPacket("udp4", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("turnserver: listen udp %s: %w", cfg.Listen, err)
	}
	gen := func() turn.RelayAddressGenerator {
		return &turn.RelayAddressGeneratorStatic{RelayAddress: net.ParseIP(cfg.RelayIP), Address: cfg.RelayIP, Net: tnet}
	}
	var serveUDP net.PacketConn = udp
	if cfg.WrapPacketConn != nil {
		serveUDP = cfg.WrapPacketConn(udp)
	}
	sc := turn.ServerConfig{
		Realm: cfg.Realm, AuthHandler: auth, LoggerFactory: lf,
		PacketConnConfigs: []turn.PacketConnConfig{{PacketConn: serveUDP, RelayAddressGenerator: gen()}},
	}
	s := &Server{udpAddr: udp.LocalAddr()}
	if !cfg.NoTCP {
		// Prefer the UDP port for TCP too, like coturn's single listening-port.
		addr := &net.TCPAddr{IP: net.ParseIP(host), Port: udp.LocalAddr().(*net.UDPAddr).Port}
		tcp, err := tnet.ListenTCP("tcp4", addr)
		if err != nil {
			_ = udp.Close()
			return nil, fmt.Errorf("turnserver: listen tcp %s: %w", addr, err)
		}
		var serveTCP net.Listener = tcp
		if cfg.WrapListener != nil {
			serveTCP = cfg.WrapListener(tcp)
		}
		sc.ListenerConfigs = []turn.ListenerConfig{{Listener: serveTCP, RelayAddressGenerator: gen()}}
		s.tcpAddr = tcp.Addr()
	}
	srv, err := turn.NewServer(sc)
	if err != nil {
		_ = udp.Close()
		return nil, fmt.Errorf("turnserver: %w", err)
	}
	s.srv = srv
	return s, nil
}

// UDPAddr is the UDP listening address.
func (s *Server) UDPAddr() net.Addr { return s.udpAddr }

// TCPAddr is the TCP listening address (nil with NoTCP).
func (s *Server) TCPAddr() net.Addr { return s.tcpAddr }

// Close stops the server.
func (s *Server) Close() error {
	if s == nil || s.srv == nil {
		return errors.New("turnserver: not started")
	}
	return s.srv.Close()
}
