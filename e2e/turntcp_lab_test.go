package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/voicewatch/voicewatch/internal/netns"
	"github.com/voicewatch/voicewatch/internal/tlstest"
	"github.com/voicewatch/voicewatch/internal/turncred"
	"github.com/voicewatch/voicewatch/voice/voicetest"
)

// labEnvInt reads a positive integer from the environment.
func labEnvInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// TestTURNTCPLab is the impairment lab's scenario that pion's vnet cannot
// build: every UDP path to the media core blocked (blackhole routes in the
// veth lab) while pion callers reach coturn over TCP, then over TLS (a
// test CA the callers trust). Every call must connect through the relay. VOICEWATCH_LAB_CALLS sets the number of calls
// (3 by default; make lab runs 200), VOICEWATCH_LAB_PARALLEL how many at
// once, VOICEWATCH_LAB_REPORT where the table row goes.
func TestTURNTCPLab(t *testing.T) {
	if testing.Short() {
		t.Skip("starts coturn and agent voice in a veth lab")
	}
	requireParts(t, false)
	buildBinaries(t)
	if !netns.Inside() {
		// A CA the callers trust (SSL_CERT_FILE) for coturn's TLS listener.
		tl := tlstest.Write(t, vethHTTPIP)
		t.Setenv("SSL_CERT_FILE", tl.CA)
		t.Setenv(envTLSDir, filepath.Dir(tl.CA))
	}
	if !netns.Run(t) {
		return
	}
	dir := os.Getenv(envTLSDir)
	l := &mediaLab{veth: newVethLab(t), tls: &tlstest.Files{CA: filepath.Join(dir, "ca.pem"), Cert: filepath.Join(dir, "cert.pem"), Key: filepath.Join(dir, "key.pem")}}
	l.stack = &stack{t: t, bin: os.Getenv(envBin), dir: t.TempDir(), coturnPort: 3478, voicePort: 8080, metricsPort: 9100}
	l.base = fmt.Sprintf("http://%s:%d", vethHTTPIP, l.voicePort)
	l.startCoturn()
	l.startVoice("turn-tcp", "  servers: ["+l.turnTCP()+"]\n")
	l.veth.cutMedia()

	calls, parallel := labEnvInt("VOICEWATCH_LAB_CALLS", 3), labEnvInt("VOICEWATCH_LAB_PARALLEL", 1)
	var report strings.Builder
	for _, v := range []struct{ name, url string }{
		{"TCP", fmt.Sprintf("turn:%s:%d?transport=tcp", vethHTTPIP, l.coturnPort)},
		{"TLS", fmt.Sprintf("turns:%s:%d?transport=tcp", vethHTTPIP, turnsPort)},
	} {
		var (
			mu      sync.Mutex
			ok      int
			setupMs []float64
			pairs   = map[string]int{}
		)
		sem := make(chan struct{}, parallel)
		var wg sync.WaitGroup
		for range calls {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				d, pair, err := tcpLabCall(t, l, v.url)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					t.Logf("%s call: %v", v.name, err)
					return
				}
				ok++
				setupMs = append(setupMs, float64(d.Milliseconds()))
				pairs[pair]++
			})
		}
		wg.Wait()
		lo, hi := voicetest.Wilson95(ok, calls)
		slices.Sort(setupMs)
		row := fmt.Sprintf("| every UDP path to the media core blocked (netns blackhole routes), caller uses TURN over %s (coturn) | %d/%d | %.1f %% [%.1f, %.1f] | – | caller's pair (local/remote) %v | %.0f / %.0f | – | – |\n",
			v.name, ok, calls, 100*float64(ok)/float64(calls), 100*lo, 100*hi, pairs, voicetest.Percentile(setupMs, 0.5), voicetest.Percentile(setupMs, 0.95))
		t.Logf("%s", row)
		report.WriteString(row)
		if ok != calls {
			t.Errorf("%d/%d calls connected over TURN/%s", ok, calls, v.name)
		}
	}
	if p := os.Getenv("VOICEWATCH_LAB_REPORT"); p != "" {
		if err := os.WriteFile(p, []byte(report.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// envTLSDir passes the test CA's directory into the namespace.
const envTLSDir = "VOICEWATCH_E2E_TLS_DIR"

// tcpLabCall places one pion call from the test's namespace with TURN over
// TCP and returns the time from the offer to connected and the caller's
// selected local candidate type.
func tcpLabCall(t *testing.T, l *mediaLab, turnURL string) (time.Duration, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	user, pass := turncred.REST(turnSecret, "lab", time.Hour, time.Now())
	c := voicetest.NewCaller(t, l.base, voicetest.CallerOptions{Token: whipToken, Interfaces: []string{"vw0"},
		ICEServers: []webrtc.ICEServer{{URLs: []string{turnURL}, Username: user, Credential: pass}}})
	defer func() { _ = c.PC.Close() }()
	start := time.Now()
	if _, err := c.Call(ctx); err != nil {
		return 0, "", err
	}
	select {
	case <-c.Connected():
	case <-ctx.Done():
		_, _ = c.Hangup(context.Background())
		return 0, "", fmt.Errorf("not connected: %w", ctx.Err())
	}
	d := time.Since(start)
	pair := "?"
	for _, tr := range c.PC.GetTransceivers() {
		if s := tr.Sender(); s != nil && s.Transport() != nil {
			if p, err := s.Transport().ICETransport().GetSelectedCandidatePair(); err == nil && p != nil {
				pair = p.Local.Typ.String() + "/" + p.Remote.Typ.String()
			}
		}
	}
	_, _ = c.Hangup(ctx)
	return d, pair, nil
}
