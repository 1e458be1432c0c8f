package suite

import (
	"github.com/voicewatch/voicewatch/probes"
	probehttp "github.com/voicewatch/voicewatch/probes/http"
	"github.com/voicewatch/voicewatch/probes/stun"
	"github.com/voicewatch/voicewatch/probes/turn"
	"github.com/voicewatch/voicewatch/probes/webrtc"
)

// DefaultRegistry returns a registry with the built-in kinds: stun, turn,
// webrtc and http.
func DefaultRegistry() *probes.Registry {
	r := probes.NewRegistry()
	for _, k := range []probes.Kind{stun.Kind, turn.Kind, webrtc.Kind, probehttp.Kind} {
		// The kinds are complete and their names distinct: Register
		// cannot fail here.
		_ = r.Register(k)
	}
	return r
}
