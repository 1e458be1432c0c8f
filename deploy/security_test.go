package deploy

import (
	"context"
	"maps"
	"net"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/pion/turn/v5"

	"github.com/voicewatch/voicewatch/internal/coturntest"
)

func loadComposeErr(t *testing.T, env map[string]string) error {
	t.Helper()
	var envList []string
	for _, k := range slices.Sorted(maps.Keys(env)) {
		envList = append(envList, k+"="+env[k])
	}
	opts, err := cli.NewProjectOptions([]string{repoPath(t, "docker-compose.yaml")},
		cli.WithWorkingDirectory(repoPath(t, ".")), cli.WithEnv(envList), cli.WithResolvedPaths(true))
	if err != nil {
		t.Fatal(err)
	}
	_, err = opts.LoadProject(context.Background())
	return err
}

// TestComposeRefusesDemoSecretsBeyondLoopback: the public demo secrets
// work only while the stack is published on loopback.
func TestComposeRefusesDemoSecretsBeyondLoopback(t *testing.T) {
	secrets := []string{"TURN_SHARED_SECRET", "VOICEWATCH_WHIP_TOKEN", "GRAFANA_ADMIN_PASSWORD"}
	p := loadCompose(t, nil, nil)
	if v := p.Services["voice"].Environment["VOICEWATCH_WHIP_TOKEN"]; v == nil || *v != "demo-token-change-me" {
		t.Errorf("loopback: demo token = %v", v)
	}
	for _, missing := range secrets {
		env := map[string]string{"VOICEWATCH_BIND": "0.0.0.0"}
		for _, s := range secrets {
			if s != missing {
				env[s] = "a-real-secret-0123456789"
			}
		}
		err := loadComposeErr(t, env)
		if err == nil || !strings.Contains(err.Error(), missing) {
			t.Errorf("VOICEWATCH_BIND=0.0.0.0 without %s: %v, want an error naming it", missing, err)
		}
	}
	env := map[string]string{"VOICEWATCH_BIND": "0.0.0.0"}
	for _, s := range secrets {
		env[s] = "a-real-secret-0123456789"
	}
	if err := loadComposeErr(t, env); err != nil {
		t.Errorf("every secret set: %v", err)
	}
}

// peerRules returns coturn's denied-peer-ip and allowed-peer-ip lines of
// deploy/coturn/turnserver.conf as command-line flags.
func peerRules(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(repoPath(t, "deploy/coturn/turnserver.conf"))
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "denied-peer-ip=") || strings.HasPrefix(line, "allowed-peer-ip=") {
			args = append(args, "--"+line)
		}
	}
	return args
}

// TestCoturnDeniesInternalPeers runs coturn with the reference config's
// peer rules: a relay to the metadata service, private ranges or loopback
// is refused (403 on CreatePermission, no packet relayed); the media
// core's compose address is allowed, and it is the address compose gives
// the media core.
func TestCoturnDeniesInternalPeers(t *testing.T) {
	rules := peerRules(t)
	if len(rules) < 5 {
		t.Fatalf("turnserver.conf has %d peer rules", len(rules))
	}
	p := loadCompose(t, nil, nil)
	var voiceIP string
	for _, n := range p.Services["voice"].Networks {
		if n != nil {
			voiceIP = n.Ipv4Address
		}
	}
	if !slices.Contains(rules, "--allowed-peer-ip="+voiceIP) {
		t.Fatalf("allowed-peer-ip %v does not name the media core's compose address %q", rules, voiceIP)
	}
	srv := coturntest.Start(t, coturntest.Options{ExtraArgs: rules})
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c, err := turn.NewClient(&turn.ClientConfig{STUNServerAddr: srv.Addr, TURNServerAddr: srv.Addr, Conn: conn,
		Username: coturntest.DefaultUser, Password: coturntest.DefaultPassword, Realm: coturntest.DefaultRealm})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Listen(); err != nil {
		t.Fatal(err)
	}
	relay, err := c.Allocate()
	if err != nil {
		t.Fatal(err)
	}
	defer relay.Close()
	for _, peer := range []string{"169.254.169.254", "10.0.0.5", "172.28.0.11", "192.168.1.1", "127.0.0.1", "100.64.0.1"} {
		if err := c.CreatePermission(&net.UDPAddr{IP: net.ParseIP(peer), Port: 80}); err == nil {
			t.Errorf("CreatePermission to %s succeeded; want 403 Forbidden IP", peer)
		}
	}
	if err := c.CreatePermission(&net.UDPAddr{IP: net.ParseIP(voiceIP), Port: 50000}); err != nil {
		t.Errorf("CreatePermission to the media core %s: %v", voiceIP, err)
	}
}
