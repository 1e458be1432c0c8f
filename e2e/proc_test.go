package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// proc is one real process of the stack. Its output goes to a log file in
// the test's temporary directory; stop and kill end it, start runs it again
// with the same command line (same ports), which is how a fault is removed.
type proc struct {
	name string
	path string
	args []string
	env  []string
	dir  string

	cmd    *exec.Cmd
	exited chan error
	logf   *os.File
}

// startProc runs path with args; the process is stopped when the test ends.
func startProc(t *testing.T, name, path string, args, env []string) *proc {
	t.Helper()
	p := &proc{name: name, path: path, args: args, env: env, dir: t.TempDir()}
	if err := p.start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		p.stop(10 * time.Second)
		if t.Failed() {
			t.Logf("--- %s log (last 60 lines) ---\n%s", name, p.tail(60))
		}
	})
	return p
}

func (p *proc) start() error {
	f, err := os.OpenFile(filepath.Join(p.dir, p.name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(p.path, p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		_ = f.Close()
		return err
	}
	p.cmd, p.logf, p.exited = cmd, f, make(chan error, 1)
	go func(exited chan<- error) { exited <- cmd.Wait() }(p.exited) // owner: p; exits with the process
	return nil
}

// running reports whether the process has not exited.
func (p *proc) running() bool {
	if p.cmd == nil {
		return false
	}
	select {
	case err := <-p.exited:
		p.exited <- err
		return false
	default:
		return true
	}
}

// stop sends SIGTERM, waits up to grace, then SIGKILL.
func (p *proc) stop(grace time.Duration) {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
	_ = p.logf.Close()
	p.cmd = nil
}

// kill ends the process with SIGKILL (a crash).
func (p *proc) kill() {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Kill()
	<-p.exited
	_ = p.logf.Close()
	p.cmd = nil
}

// exitedEarly reports the exit of a process that should still run.
func (p *proc) exitedEarly() error {
	if p.cmd != nil && !p.running() {
		return fmt.Errorf("%s exited: %v\n%s", p.name, <-p.exited, p.tail(40))
	}
	return nil
}

// tail returns the last n lines of the log.
func (p *proc) tail(n int) string {
	b, _ := os.ReadFile(filepath.Join(p.dir, p.name+".log"))
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// logPath is the process's log file.
func (p *proc) logPath() string { return filepath.Join(p.dir, p.name+".log") }
