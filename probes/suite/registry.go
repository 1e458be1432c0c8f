package suite

import (
	"github.com/voicewatch/voicewatch/probes"
	probehttp "github.com/voicewatch/voicewatch/probes/http"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
	"github.com/voicewatch/voicewatch/probes/stun"
	"github.com/voicewatch/voicewatch/probes/turn"
	"github.com/voicewatch/voicewatch/probes/webrtc"
)

// DefaultRegistry returns a registry with the built-in kinds: stun, turn,
// webrtc and http.
func DefaultRegistry() *probes.Registry {
	r := probes.NewRegistry()
	// The kinds are distinct constants: Register cannot fail here.
	_ = r.Register(probemetrics.KindSTUN, stun.Factory, stun.Phases("udp", "tcp"))
	_ = r.Register(probemetrics.KindTURN, turn.Factory, turn.Phases)
	_ = r.Register(probemetrics.KindWebRTC, webrtc.Factory, webrtc.Phases)
	_ = r.Register(probemetrics.KindHTTP, probehttp.Factory, probehttp.Phases)
	return r
}
