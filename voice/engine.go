package voice

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/report"
	"github.com/pion/logging"
	"github.com/pion/sdp/v3"
	"github.com/pion/transport/v5"
	"github.com/pion/webrtc/v4"

	"github.com/voicewatch/voicewatch/internal/turncred"
)

// Payload types and codec parameters we answer with.
var (
	opusCodec = webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2,
			SDPFmtpLine: "minptime=10;useinbandfec=1"},
		PayloadType: 111,
	}
	pcmuCodec = webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000, Channels: 1},
		PayloadType:        0,
	}
)

// pionAPI holds what every session's pion API shares: the codecs, the ICE
// settings and pion's RTCP report interceptors. Each session gets its own
// API (forSession) so that its interceptor chain can carry the session's
// quality tap.
type pionAPI struct {
	media    *webrtc.MediaEngine
	settings webrtc.SettingEngine
	reports  []interceptor.Factory
}

// forSession returns an API whose PeerConnections report RTCP to q. The tap
// comes first so that the report interceptors write through it.
func (a *pionAPI) forSession(q *quality) *webrtc.API {
	ir := &interceptor.Registry{}
	ir.Add(tapFactory{q: q})
	for _, f := range a.reports {
		ir.Add(f)
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(a.media), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(a.settings))
}

// newAPI builds the pion API for the configured ICE settings. net is nil for
// the real network, or a vnet in tests.
func newAPI(cfg ICEConfig, tnet transport.Net, lf logging.LoggerFactory) (*pionAPI, error) {
	m := &webrtc.MediaEngine{}
	for _, c := range []webrtc.RTPCodecParameters{opusCodec, pcmuCodec} {
		if err := m.RegisterCodec(c, webrtc.RTPCodecTypeAudio); err != nil {
			return nil, fmt.Errorf("register codec: %w", err)
		}
	}
	// RFC 6464 client-to-mixer audio level: browsers send it, the VAD reads it.
	if err := m.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: sdp.AudioLevelURI}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, fmt.Errorf("register audio level extension: %w", err)
	}
	// Receiver and sender reports (RFC 3550 §6.4): loss, jitter and the
	// timestamps for RTT; quality.go reads them.
	recvReports, err := report.NewReceiverInterceptor()
	if err != nil {
		return nil, fmt.Errorf("configure RTCP reports: %w", err)
	}
	sendReports, err := report.NewSenderInterceptor()
	if err != nil {
		return nil, fmt.Errorf("configure RTCP reports: %w", err)
	}

	s := webrtc.SettingEngine{}
	if lf != nil {
		s.LoggerFactory = lf
	}
	s.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	s.SetICETimeouts(cfg.DisconnectedTimeout, cfg.FailedTimeout, cfg.KeepaliveInterval)
	s.SetSTUNGatherTimeout(cfg.STUNGatherTimeout)
	if cfg.RelayAcceptanceMinWait != nil {
		s.SetRelayAcceptanceMinWait(*cfg.RelayAcceptanceMinWait)
	}
	s.SetIncludeLoopbackCandidate(cfg.IncludeLoopback)
	if cfg.UDPPortMin != 0 || cfg.UDPPortMax != 0 {
		if err := s.SetEphemeralUDPPortRange(cfg.UDPPortMin, cfg.UDPPortMax); err != nil {
			return nil, fmt.Errorf("ice udp port range: %w", err)
		}
	}
	if len(cfg.NAT1To1IPs) > 0 {
		s.SetNAT1To1IPs(cfg.NAT1To1IPs, webrtc.ICECandidateTypeHost)
	}
	if len(cfg.Interfaces) > 0 {
		ifs := slices.Clone(cfg.Interfaces)
		s.SetInterfaceFilter(func(name string) bool { return slices.Contains(ifs, name) })
	}
	if len(cfg.IPs) > 0 {
		var prefixes []netip.Prefix
		for _, p := range cfg.IPs {
			pp, err := netip.ParsePrefix(p)
			if err != nil {
				return nil, fmt.Errorf("ice.ips: %w", err)
			}
			prefixes = append(prefixes, pp)
		}
		s.SetIPFilter(func(ip net.IP) bool {
			a, ok := netip.AddrFromSlice(ip)
			if !ok {
				return false
			}
			a = a.Unmap()
			for _, p := range prefixes {
				if p.Contains(a) {
					return true
				}
			}
			return false
		})
	}
	if tnet != nil {
		s.SetNet(tnet)
	}
	return &pionAPI{media: m, settings: s, reports: []interceptor.Factory{recvReports, sendReports}}, nil
}

// iceServers returns the pion ICE servers for one session, deriving TURN REST
// credentials from shared secrets at now.
func iceServers(servers []ICEServer, now time.Time) []webrtc.ICEServer {
	out := make([]webrtc.ICEServer, 0, len(servers))
	for _, s := range servers {
		ws := webrtc.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential.Reveal()}
		if s.Secret != "" {
			ws.Username, ws.Credential = turncred.REST(s.Secret.Reveal(), s.Username, s.TTL, now)
		}
		out = append(out, ws)
	}
	return out
}

// serverKinds reports whether the servers include STUN and TURN URLs, so
// gathering can finish once each kind has produced a candidate.
func serverKinds(servers []ICEServer) (stun, turn bool) {
	for _, s := range servers {
		for _, u := range s.URLs {
			if isTURN(u) {
				turn = true
			} else {
				stun = true
			}
		}
	}
	return stun, turn
}
