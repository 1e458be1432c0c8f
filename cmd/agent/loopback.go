package main

import "github.com/voicewatch/voicewatch/voice"

// isLoopbackListen reports whether a listen address (host:port) binds
// loopback only; an empty host ("":8080) binds every interface.
func isLoopbackListen(hostport string) bool { return voice.LoopbackListen(hostport) }

// requireLoopback checks that every named listen flag binds loopback only:
// the demo runs without auth and with a TURN server that relays to
// loopback, which must not be reachable from the network.
func requireLoopback(flags map[string]string) error {
	for _, name := range []string{"listen", "turn-listen", "sidecar-listen"} {
		v, ok := flags[name]
		if !ok || v == "" {
			continue
		}
		if !isLoopbackListen(v) {
			return usagef("demo", "--%s %s: the demo runs without authentication and must listen on loopback (127.0.0.1:PORT or [::1]:PORT)", name, v)
		}
	}
	return nil
}
