package sidecar

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// TestServerTimeouts: a client that sends headers slowly, a body slowly,
// or keeps an idle keep-alive connection does not hold the sidecar's
// listener: each connection is closed after its timeout.
func TestServerTimeouts(t *testing.T) {
	sc := startSidecar(t, "listen: 127.0.0.1:0\n",
		withServerTimeouts(serverTimeouts{readHeader: 300 * time.Millisecond, read: 600 * time.Millisecond, write: time.Second, idle: 300 * time.Millisecond}))
	addr := strings.TrimPrefix(sc.base, "http://")
	// closed reports whether the server closes conn within d (a read that
	// ends in EOF or a reset), reading and discarding what it sends.
	closed := func(t *testing.T, conn net.Conn, d time.Duration) bool {
		t.Helper()
		_ = conn.SetReadDeadline(time.Now().Add(d))
		_, err := io.Copy(io.Discard, conn)
		var ne net.Error
		return !(errors.As(err, &ne) && ne.Timeout())
	}
	dial := func(t *testing.T) net.Conn {
		t.Helper()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}
	t.Run("slow headers", func(t *testing.T) {
		conn := dial(t)
		_, _ = io.WriteString(conn, "GET /metrics HTTP/1.1\r\nHost: x\r\n") // never ends the headers
		if !closed(t, conn, 5*time.Second) {
			t.Error("a connection that never finished its headers was still open after 5s")
		}
	})
	t.Run("slow body", func(t *testing.T) {
		conn := dial(t)
		_, _ = io.WriteString(conn, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nab")
		if !closed(t, conn, 5*time.Second) {
			t.Error("a connection that never finished its body was still open after 5s")
		}
	})
	t.Run("idle keep-alive", func(t *testing.T) {
		conn := dial(t)
		_, _ = io.WriteString(conn, "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
		line, err := bufio.NewReader(conn).ReadString('\n')
		if err != nil || !strings.Contains(line, "200") {
			t.Fatalf("GET /-/healthy: %q %v", line, err)
		}
		if !closed(t, conn, 5*time.Second) {
			t.Error("an idle keep-alive connection was still open after 5s")
		}
	})
}
