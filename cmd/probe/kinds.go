package main

import (
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/voicewatch/voicewatch/probes"
	probehttp "github.com/voicewatch/voicewatch/probes/http"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
	"github.com/voicewatch/voicewatch/probes/stun"
	"github.com/voicewatch/voicewatch/probes/turn"
	"github.com/voicewatch/voicewatch/probes/webrtc"
)

type builder = func(pos []string, env probes.Env) ([]probes.Spec, error)

func stunCmd(fs *flag.FlagSet) builder {
	transports := fs.String("transport", "udp,tcp", "transports, comma separated")
	rto := fs.Duration("rto", stun.DefaultRTO, "initial UDP retransmission timeout (RFC 8489)")
	return func(pos []string, env probes.Env) ([]probes.Spec, error) {
		if len(pos) == 0 {
			return nil, fmt.Errorf("%w: stun needs at least one URI (stun:host[:port])", errUsage)
		}
		specs := make([]probes.Spec, 0, len(pos))
		for _, uri := range pos {
			if err := checkICEURI("stun", uri); err != nil {
				return nil, err
			}
			p, err := stun.New(stun.Config{Target: uri, Transports: strings.Split(*transports, ","), RTO: *rto},
				stun.WithNet(env.Net), stun.WithLogger(env.Logger))
			if err != nil {
				return nil, fmt.Errorf("%w: %w", errUsage, err)
			}
			specs = append(specs, probes.Spec{Kind: probemetrics.KindSTUN, Target: uri, Prober: p})
		}
		return specs, nil
	}
}

func turnCmd(fs *flag.FlagSet) builder {
	user := fs.String("username", "", "TURN username (long-term credentials)")
	pass := fs.String("password", "", "TURN password (prefer --password-file or VOICEWATCH_TURN_PASSWORD)")
	passFile := fs.String("password-file", "", "file holding the TURN password")
	sec := fs.String("secret", "", "TURN REST shared secret (prefer --secret-file or VOICEWATCH_TURN_SECRET)")
	secFile := fs.String("secret-file", "", "file holding the TURN REST shared secret")
	caFile := fs.String("ca-file", "", "PEM CA that must sign the TLS server certificate")
	serverName := fs.String("server-name", "", "TLS server name (default: the URI host)")
	peer := fs.String("peer-address", "", "address the relay sends to (default: the echo peer's reflexive address)")
	packets := fs.Int("packets", 20, "relay echoes to send: loss, RTT mean/p95 and jitter, like turnutils_uclient -n")
	return func(pos []string, env probes.Env) ([]probes.Spec, error) {
		if len(pos) == 0 {
			return nil, fmt.Errorf("%w: turn needs at least one URI (turn:host:port?transport=udp)", errUsage)
		}
		if *packets < 1 {
			return nil, fmt.Errorf("%w: --packets %d: want at least 1", errUsage, *packets)
		}
		secretVal, err := secret(*sec, *secFile, "VOICEWATCH_TURN_SECRET")
		if err != nil {
			return nil, err
		}
		password := ""
		if secretVal == "" {
			if password, err = secret(*pass, *passFile, "VOICEWATCH_TURN_PASSWORD"); err != nil {
				return nil, err
			}
			if *user == "" || password == "" {
				return nil, fmt.Errorf("%w: turn needs --username with a password (--password, --password-file or VOICEWATCH_TURN_PASSWORD) or a REST secret (--secret, --secret-file or VOICEWATCH_TURN_SECRET)", errUsage)
			}
		}
		specs := make([]probes.Spec, 0, len(pos))
		for _, uri := range pos {
			if err := checkICEURI("turn", uri); err != nil {
				return nil, err
			}
			p, err := turn.New(turn.Config{Target: uri, Username: *user, Password: password, Secret: secretVal,
				CAFile: *caFile, ServerName: *serverName, PeerAddress: *peer, EchoCount: *packets},
				turn.WithNet(env.Net), turn.WithLogger(env.Logger))
			if err != nil {
				return nil, fmt.Errorf("%w: %w", errUsage, err)
			}
			specs = append(specs, probes.Spec{Kind: probemetrics.KindTURN, Target: uri, Prober: p})
		}
		return specs, nil
	}
}

func webrtcCmd(fs *flag.FlagSet) builder {
	tok := fs.String("token", "", "WHIP bearer token (prefer --token-file or VOICEWATCH_WHIP_TOKEN)")
	tokFile := fs.String("token-file", "", "file holding the WHIP bearer token")
	var servers listFlag
	fs.Var(&servers, "ice-server", "STUN/TURN URI the probe gathers from (repeatable)")
	iceUser := fs.String("ice-username", "", "username for turn: ICE servers")
	icePass := fs.String("ice-password", "", "password for turn: ICE servers (prefer --ice-password-file or VOICEWATCH_TURN_PASSWORD)")
	icePassFile := fs.String("ice-password-file", "", "file holding the TURN password")
	iceSecret := fs.String("ice-secret", "", "TURN REST secret for turn: ICE servers (prefer --ice-secret-file or VOICEWATCH_TURN_SECRET)")
	iceSecretFile := fs.String("ice-secret-file", "", "file holding the TURN REST secret")
	relayOnly := fs.Bool("relay-only", false, "ICE transport policy relay: prove the TURN path")
	trickle := fs.Bool("trickle", false, "trickle candidates with PATCH")
	loopback := fs.Bool("loopback", false, "use the loopback interface only")
	noAudio := fs.Bool("no-audio", false, "stop at connected; do not wait for audio back")
	replyTimeout := fs.Duration("reply-timeout", 3*time.Second, "how long to wait for the bot's answer to the tone")
	requireReply := fs.Bool("require-reply", false, "fail when the bot does not answer the tone (a greeting alone passes otherwise)")
	hold := fs.Duration("hold", 0, "stay on the call this long after the reply, so RTCP measures the round trip (rtt_source=rtcp)")
	greeting := fs.String("greeting", webrtc.GreetingWait, "a bot's greeting: wait (hear it out, then speak) or interrupt (speak over it; for bots that stop on barge-in)")
	relayWait := fs.Duration("relay-acceptance-min-wait", -1, "ICE wait before accepting a relay pair (default 0 with --relay-only, else 2s)")
	noDiscovery := fs.Bool("no-ice-discovery", false, "do not add the ICE servers the endpoint announces in OPTIONS Link headers (RFC 9725 §4.6)")
	return func(pos []string, env probes.Env) ([]probes.Spec, error) {
		if len(pos) != 1 {
			return nil, fmt.Errorf("%w: webrtc needs exactly one WHIP URL", errUsage)
		}
		token, err := secret(*tok, *tokFile, "VOICEWATCH_WHIP_TOKEN")
		if err != nil {
			return nil, err
		}
		sec, err := secret(*iceSecret, *iceSecretFile, "VOICEWATCH_TURN_SECRET")
		if err != nil {
			return nil, err
		}
		pass, err := secret(*icePass, *icePassFile, "VOICEWATCH_TURN_PASSWORD")
		if err != nil {
			return nil, err
		}
		cfg := webrtc.Config{Target: pos[0], Token: token, RelayOnly: *relayOnly, Trickle: *trickle, Loopback: *loopback, Greeting: *greeting, Hold: *hold,
			ReplyTimeout: *replyTimeout, RequireReply: *requireReply}
		for _, s := range servers {
			kind := "stun"
			if strings.HasPrefix(strings.ToLower(s), "turn") {
				kind = "turn"
			}
			if err := checkICEURI(kind, s); err != nil {
				return nil, fmt.Errorf("--ice-server: %w", err)
			}
			is := webrtc.ICEServer{URL: s}
			if strings.HasPrefix(s, "turn") {
				is.Username, is.Password, is.Secret = *iceUser, pass, sec
			}
			cfg.ICEServers = append(cfg.ICEServers, is)
		}
		if *noAudio {
			f := false
			cfg.WaitForAudio = &f
		}
		if *relayWait >= 0 {
			d := time.Duration(*relayWait)
			cfg.RelayAcceptanceMinWait = &d
		}
		opts := []webrtc.Option{webrtc.WithNet(env.Net), webrtc.WithLogger(env.Logger)}
		check := cfg
		if !*noDiscovery {
			check.RelayOnly = false // the TURN server may come from OPTIONS; checked per call
		}
		p, err := webrtc.New(check, opts...)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errUsage, err)
		}
		if !*noDiscovery {
			return []probes.Spec{{Kind: probemetrics.KindWebRTC, Target: pos[0], Prober: discoveringProber{cfg: cfg, opts: opts}}}, nil
		}
		return []probes.Spec{{Kind: probemetrics.KindWebRTC, Target: pos[0], Prober: p}}, nil
	}
}

func httpCmd(fs *flag.FlagSet) builder {
	status := fs.Int("expect-status", 200, "status that counts as success")
	return func(pos []string, env probes.Env) ([]probes.Spec, error) {
		if len(pos) == 0 {
			return nil, fmt.Errorf("%w: http needs at least one URL", errUsage)
		}
		specs := make([]probes.Spec, 0, len(pos))
		for _, u := range pos {
			p, err := probehttp.New(probehttp.Config{Target: u, ExpectedStatus: *status}, probehttp.WithLogger(env.Logger))
			if err != nil {
				return nil, fmt.Errorf("%w: %w", errUsage, err)
			}
			specs = append(specs, probes.Spec{Kind: probemetrics.KindHTTP, Target: u, Prober: p})
		}
		return specs, nil
	}
}
