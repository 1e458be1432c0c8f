package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
	"github.com/voicewatch/voicewatch/probes/webrtc"
)

// Detail keys the discovery adds to a WebRTC result.
const (
	detailICEDiscovery = "ice_discovery"
	detailICEServers   = "ice_servers"
)

// discoveringProber is `probe webrtc` by default: before each call it asks
// the WHIP endpoint for its ICE servers (OPTIONS, RFC 9725 §4.6), adds them
// to the ones given with --ice-server, and runs the WebRTC probe with all
// of them. Discovery runs per call because TURN REST credentials expire. A
// failed discovery is not a failed probe: the call goes on with the
// explicit servers, and the result says why nothing was discovered.
type discoveringProber struct {
	cfg  webrtc.Config // ICEServers: the explicit ones
	opts []webrtc.Option
}

func (d discoveringProber) Probe(ctx context.Context) probes.Result {
	start := time.Now()
	cfg := d.cfg
	found, derr := webrtc.DiscoverICEServers(ctx, nil, cfg.Target, cfg.Token)
	cfg.ICEServers = append(append([]webrtc.ICEServer(nil), cfg.ICEServers...), found...)
	p, err := webrtc.New(cfg, d.opts...)
	var r probes.Result
	if err != nil {
		r = probes.Result{Kind: probemetrics.KindWebRTC, Target: cfg.Target, Duration: time.Since(start)}
		if derr == nil {
			err = fmt.Errorf("%w (OPTIONS announced %d ICE servers; pass --ice-server)", err, len(found))
		}
		r.Fail(probemetrics.PhaseWebRTCSignaling, probes.ReasonConfig, err)
	} else {
		r = p.Probe(ctx)
	}
	switch {
	case derr != nil:
		r.SetDetail(detailICEDiscovery, "failed: "+derr.Error())
	default:
		r.SetDetail(detailICEDiscovery, strconv.Itoa(len(found))+" from OPTIONS")
	}
	if len(cfg.ICEServers) > 0 {
		urls := make([]string, len(cfg.ICEServers))
		for i, s := range cfg.ICEServers {
			urls[i] = s.URL // never the credentials
		}
		r.SetDetail(detailICEServers, strings.Join(urls, " "))
	}
	return r
}
