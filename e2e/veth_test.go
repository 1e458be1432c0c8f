package e2e

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/internal/netns"
)

// Addresses of the veth lab: the test's namespace (Chromium, Prometheus,
// Alertmanager) is 10.77.0.1; the media core's namespace answers HTTP and
// TURN on 10.77.0.2 and does ICE on 10.77.0.3 only, so a route can cut the
// media path while signalling stays up.
const (
	vethClientIP = "10.77.0.1"
	vethHTTPIP   = "10.77.0.2"
	vethMediaIP  = "10.77.0.3"
	vethRelayIP  = "10.77.0.4" // coturn's relay address, cut with the media path
	vethDeadIP   = "10.77.0.9" // nobody: a STUN server that never answers
)

// vethLab is a second network namespace joined to the test's by a veth
// pair. It lives as long as its holder process (a sleep in the namespace).
type vethLab struct {
	t      *testing.T
	holder *exec.Cmd
	pid    string
	cut    bool
}

// newVethLab builds the namespace and the veth pair. It needs root (it
// runs inside the namespace netns.Run made).
func newVethLab(t *testing.T) *vethLab {
	t.Helper()
	if os.Geteuid() != 0 {
		netns.Missing(t, "root (a veth pair between network namespaces)")
	}
	l := &vethLab{t: t}
	l.holder = exec.Command("unshare", "-n", "sleep", "3600")
	l.holder.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := l.holder.Start(); err != nil {
		t.Fatalf("start the namespace holder: %v", err)
	}
	t.Cleanup(func() {
		_ = l.holder.Process.Kill()
		_ = l.holder.Wait()
	})
	l.pid = strconv.Itoa(l.holder.Process.Pid)
	self, _ := os.Readlink("/proc/self/ns/net")
	eventually(t, 5*time.Second, "the holder's namespace", func() bool {
		ns, err := os.Readlink("/proc/" + l.pid + "/ns/net")
		return err == nil && ns != self
	})
	l.ip("link", "add", "vw0", "type", "veth", "peer", "name", "vw1")
	l.ip("link", "set", "vw1", "netns", l.pid)
	l.ip("addr", "add", vethClientIP+"/24", "dev", "vw0")
	l.ip("link", "set", "vw0", "up")
	for _, args := range [][]string{
		{"link", "set", "lo", "up"},
		{"addr", "add", vethHTTPIP + "/24", "dev", "vw1"},
		{"addr", "add", vethMediaIP + "/24", "dev", "vw1"},
		{"addr", "add", vethRelayIP + "/24", "dev", "vw1"},
		{"link", "set", "vw1", "up"},
	} {
		l.run("nsenter", append([]string{"-t", l.pid, "-n", "--", "ip"}, args...)...)
	}
	eventually(t, 5*time.Second, "the veth pair carries packets", func() bool { return reachable(vethHTTPIP) })
	return l
}

// reachable reports whether ip answers at all: a refused TCP connection
// (nothing listens on port 1) proves the path.
func reachable(ip string) bool {
	c, err := net.DialTimeout("tcp", ip+":1", 500*time.Millisecond)
	if c != nil {
		_ = c.Close()
	}
	return err == nil || errors.Is(err, syscall.ECONNREFUSED)
}

func (l *vethLab) ip(args ...string) { l.t.Helper(); l.run("ip", args...) }

func (l *vethLab) run(name string, args ...string) {
	l.t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		l.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// inside returns the command line that runs path with args in the lab's
// namespace (nsenter execs it: signals reach the program itself).
func (l *vethLab) inside(path string, args ...string) (string, []string) {
	return "nsenter", append([]string{"-t", l.pid, "-n", "--", path}, args...)
}

// cutMedia blackholes the media core's ICE address and coturn's relay
// address: no UDP from this namespace reaches the media core, directly or
// through a relay port; HTTP and TURN over TCP (on another address) still
// work.
func (l *vethLab) cutMedia() {
	l.t.Helper()
	l.ip("route", "add", "blackhole", vethMediaIP+"/32")
	l.ip("route", "add", "blackhole", vethRelayIP+"/32")
	l.cut = true
}

// restoreMedia removes the blackhole routes.
func (l *vethLab) restoreMedia() {
	l.t.Helper()
	if l.cut {
		l.ip("route", "del", "blackhole", vethMediaIP+"/32")
		l.ip("route", "del", "blackhole", vethRelayIP+"/32")
		l.cut = false
	}
}
