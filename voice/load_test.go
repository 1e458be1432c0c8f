package voice

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/voice/voicetest"
)

// The load test runs the media core in a child process (this test binary,
// re-executed) so its CPU and memory are measured apart from the callers.

const envLoadServer = "VOICEWATCH_LOAD_SERVER"

// loadServerMain serves a media core on loopback until stdin closes.
func loadServerMain() int {
	dir, _ := os.MkdirTemp("", "voicewatch-load-")
	defer os.RemoveAll(dir)
	cfg := Config{Listen: "127.0.0.1:0", MaxSessions: 1000}
	cfg.Auth.InsecureNoAuth = true
	cfg.ICE.IncludeLoopback = true
	cfg.ICE.Interfaces = []string{"lo"}
	cfg.Store.Dir = dir
	f := false
	cfg.Audio.Greeting = &f
	cfg.HTTP.RatePerSecond = 10000
	cfg.HTTP.Burst = 10000
	s, err := New(cfg, WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 1
	}
	fmt.Printf("ADDR %s\n", ln.Addr())
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		_, _ = bufio.NewReader(os.Stdin).ReadString(0)
		cancel()
	}()
	if err := s.Serve(ctx, ln, nil); err != nil {
		return 1
	}
	return 0
}

// procStat returns a process's CPU time and resident memory.
func procStat(pid int) (cpu time.Duration, rssKB int, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	ut, _ := strconv.Atoi(f[11])
	st, _ := strconv.Atoi(f[12])
	cpu = time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ = 100
	s, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for line := range strings.Lines(string(s)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			rssKB, _ = strconv.Atoi(strings.Fields(v)[0])
		}
	}
	return cpu, rssKB, nil
}

// TestLoadEchoSessions measures the media core's CPU and RSS per concurrent
// echo session. Set VOICEWATCH_LOAD=50,200 to run it (make bench does).
func TestLoadEchoSessions(t *testing.T) {
	spec := os.Getenv("VOICEWATCH_LOAD")
	if spec == "" {
		t.Skip("set VOICEWATCH_LOAD=50,200 to measure concurrent echo sessions")
	}
	for _, ns := range strings.Split(spec, ",") {
		n, _ := strconv.Atoi(ns)
		t.Run(ns, func(t *testing.T) { loadRun(t, n) })
	}
}

func loadRun(t *testing.T, n int) {
	cmd := exec.Command(os.Args[0], "-test.run", "^$")
	cmd.Env = append(os.Environ(), envLoadServer+"=1")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); _ = cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + strings.TrimSpace(strings.TrimPrefix(line, "ADDR "))
	pid := cmd.Process.Pid
	_, idleRSS, _ := procStat(pid)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	callers := make([]*voicetest.Caller, n)
	for i := range callers {
		c := voicetest.NewCaller(t, base, voicetest.CallerOptions{})
		if _, err := c.Call(ctx); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		callers[i] = c
	}
	for i, c := range callers {
		select {
		case <-c.Connected():
		case <-ctx.Done():
			t.Fatalf("call %d never connected", i)
		}
	}
	// Each caller talks: 1 s of speech, 1 s of silence, repeated; the bot
	// echoes each utterance, so media flows both ways.
	talkCtx, stopTalk := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, c := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for talkCtx.Err() == nil {
				_, _ = c.Speak(talkCtx, time.Second, time.Second)
			}
		}()
	}
	time.Sleep(3 * time.Second) // warm-up: echoes start after the first utterance
	cpu0, _, _ := procStat(pid)
	const window = 10 * time.Second
	time.Sleep(window)
	cpu1, rss, _ := procStat(pid)
	stopTalk()
	wg.Wait()
	var echoed int
	for _, c := range callers {
		if c.Received() > 0 {
			echoed++
		}
		_, _ = c.Hangup(ctx)
		_ = c.PC.Close()
	}
	cpuPct := 100 * (cpu1 - cpu0).Seconds() / window.Seconds()
	t.Logf("sessions=%d echoed=%d server CPU=%.1f%% of one core (%.3f%%/session) RSS=%d KiB (idle %d KiB, %.0f KiB/session)",
		n, echoed, cpuPct, cpuPct/float64(n), rss, idleRSS, float64(rss-idleRSS)/float64(n))
	if echoed < n*9/10 {
		t.Errorf("only %d/%d sessions got their echo", echoed, n)
	}
}
