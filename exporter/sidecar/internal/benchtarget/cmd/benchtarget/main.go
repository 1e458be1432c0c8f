// Command benchtarget serves the synthetic scrape target of package
// benchtarget on a loopback address until SIGINT or SIGTERM, for
// scripts/bench-otelcol.sh:
//
//	benchtarget -listen 127.0.0.1:19500 [-counters 40 -gauges 38 -histograms 2 -series 100]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/voicewatch/voicewatch/exporter/sidecar/internal/benchtarget"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtarget:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("benchtarget", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:19500", "loopback address to serve /metrics on")
	var cfg benchtarget.Config
	fs.IntVar(&cfg.Counters, "counters", benchtarget.DefaultCounters, "counter metrics")
	fs.IntVar(&cfg.Gauges, "gauges", benchtarget.DefaultGauges, "gauge metrics")
	fs.IntVar(&cfg.Histograms, "histograms", benchtarget.DefaultHistograms, "histogram metrics (0: none)")
	fs.IntVar(&cfg.SeriesPerMetric, "series", benchtarget.DefaultSeriesPerMetric, "id label values per metric")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg.NoHistograms = cfg.Histograms == 0
	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		return fmt.Errorf("-listen %q: %w", *listen, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-listen %q: use a loopback address such as 127.0.0.1:19500", *listen)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", benchtarget.New(cfg))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "benchtarget: %d series on http://%s/metrics\n", cfg.Series(), ln.Addr())
	select {
	case err = <-errc:
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		err = srv.Shutdown(shut)
		<-errc
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
