//go:build !sidecaronly

package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"sync/atomic"
	"time"
)

// floodRequests are the scanner request lines of the incident's logs, sent
// raw so an invalid method reaches the guard as the scanner sent it.
var floodRequests = []string{
	"GET /console/css/%252e%252e%252fconsole.portal HTTP/1.1",
	"GET /console/bea-helpsets/..;/images/%252e%252e%252fconsole.portal?_nfpb=true&_pageLabel=&handle=com.tangosol.coherence.mvel2.sh.ShellSession HTTP/1.1",
	"GET /bsguest.cgi?email=x;/usr/sbin/sendmail%20-t HTTP/1.1",
	"ABCD / HTTP/1.1",
	"GET /.env HTTP/1.1",
	"GET /wp-login.php HTTP/1.1",
	"GET /../../../../etc/passwd HTTP/1.1",
}

// floodRate is how many scanner requests a second the scanner-flood fault
// sends: enough to see on the dashboards, well below the guard's per-IP
// rate limit so the demo's own calls and probes go on.
const floodRate = 5

// runScannerFlood sends scanner requests to the media core at floodRate
// while the fault is on, until ctx ends. Each request has a short deadline
// and one connection; nothing is retried, so the flood stays bounded.
func runScannerFlood(ctx context.Context, addr string, on *atomic.Bool) error {
	tick := time.NewTicker(time.Second / floodRate)
	defer tick.Stop()
	for i := 0; ; {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if !on.Load() {
			continue
		}
		sendRaw(ctx, addr, floodRequests[i%len(floodRequests)])
		i++
	}
}

// sendRaw writes one request line and reads the status line back.
func sendRaw(ctx context.Context, addr, line string) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return
	}
	defer c.Close()
	dl, _ := ctx.Deadline()
	_ = c.SetDeadline(dl)
	if _, err := fmt.Fprintf(c, "%s\r\nHost: %s\r\nUser-Agent: voicewatch-demo-scanner\r\nConnection: close\r\n\r\n", line, addr); err != nil {
		return
	}
	_, _ = bufio.NewReader(c).ReadString('\n')
}
