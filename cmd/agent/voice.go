//go:build !sidecaronly

package main

import (
	"context"
	"fmt"
	"net"

	"github.com/voicewatch/voicewatch/voice"
	"github.com/voicewatch/voicewatch/voice/providers"
)

const voiceSynopsis = `voice --config voice.yaml [flags]

Runs the instrumented WebRTC media core: WHIP signaling on POST /whip, the
test page on /, /metrics, /-/healthy and /-/ready.

Config keys (voice.yaml; strict: an unknown key is an error, ${VAR} is
expanded from the environment; reference: README.md#configuration):
`

func runVoice(ctx context.Context, args []string, std stdio) error {
	stdout, stderr := std.out, std.errOut
	fs := newFlagSet("voice", voiceSynopsis+wrapKeys(configKeys(voice.Config{}), "  "), stdout)
	var (
		configPath = fs.String("config", "", "path to voice.yaml (required unless --insecure-no-auth on loopback); ${VAR} is expanded from the environment")
		listen     = fs.String("listen", "", "override the listen address (host:port)")
		noAuth     = fs.Bool("insecure-no-auth", false, "accept WHIP requests without a bearer token; only allowed on a loopback listen address")
		check      = fs.Bool("check-config", false, "validate the configuration and exit")
		lf         logFlags
	)
	lf.register(fs, "info", "json")
	if err := fs.parse(args, false); err != nil {
		return err
	}
	log, err := lf.logger("voice", stderr)
	if err != nil {
		return err
	}
	cfg, err := voice.LoadConfig(*configPath, func(c *voice.Config) {
		if *listen != "" {
			c.Listen = *listen
		}
		if *noAuth {
			c.Auth.InsecureNoAuth = true
		}
	})
	if err != nil {
		return err
	}
	p, st, err := providers.Build(ctx, cfg, log)
	if err != nil {
		return fmt.Errorf("invalid config: %w", cfg.Redact(err))
	}
	if *check {
		fmt.Fprintln(stdout, "config OK")
		return nil
	}
	srv, err := voice.New(cfg, voice.WithLogger(log), voice.WithProviders(p), voice.WithStore(st))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	var mln net.Listener
	if cfg.MetricsListen != "" {
		if mln, err = net.Listen("tcp", cfg.MetricsListen); err != nil {
			ln.Close()
			return fmt.Errorf("metrics listen: %w", err)
		}
	}
	log.Info("media core listening", "addr", ln.Addr().String(), "whip", "http://"+ln.Addr().String()+"/whip")
	return srv.Serve(ctx, ln, mln)
}
