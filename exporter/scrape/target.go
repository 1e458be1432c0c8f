package scrape

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// acceptHeader asks for the Prometheus text format, which every client
// library serves and Parse reads.
const acceptHeader = "text/plain;version=0.0.4;q=1,*/*;q=0.1"

// target scrapes one endpoint and holds its latest good snapshot.
type target struct {
	cfg    TargetConfig
	client *http.Client

	scrapeMu sync.Mutex   // one scrape at a time
	parser   *Parser      // under scrapeMu
	body     bytes.Buffer // under scrapeMu: reused, the parser keeps nothing of it
	lastBody int          // under scrapeMu: length of the last body

	mu       sync.RWMutex
	families []*dto.MetricFamily // nil while down
}

// result is the outcome of one scrape.
type result struct {
	duration time.Duration
	samples  int
	reason   string // "" on success
	err      error
}

func (t *target) snapshot() []*dto.MetricFamily {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.families
}

// scrape fetches and parses the target once, replacing the snapshot on
// success and clearing it on failure.
func (t *target) scrape(ctx context.Context, now func() time.Time) result {
	t.scrapeMu.Lock()
	defer t.scrapeMu.Unlock()
	start := now()
	fams, samples, err := t.fetch(ctx)
	r := result{duration: now().Sub(start), samples: samples, err: err}
	if err != nil {
		r.reason = reasonOf(err)
		fams = nil
	}
	t.mu.Lock()
	t.families = fams
	t.mu.Unlock()
	return r
}

func (t *target) fetch(ctx context.Context) ([]*dto.MetricFamily, int, error) {
	ctx, cancel := context.WithTimeout(ctx, t.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.cfg.URL, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", acceptHeader)
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", fmt.Sprintf("%g", t.cfg.Timeout.Seconds()))
	resp, err := t.client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, 0, fmt.Errorf("%w: %s", ErrHTTPStatus, resp.Status)
	}
	t.body.Reset()
	t.body.Grow(t.lastBody + t.lastBody/8 + 4096) // no doubling for a body like the last
	defer t.shrinkBody()
	if _, err := t.body.ReadFrom(io.LimitReader(resp.Body, t.cfg.MaxBodyBytes+1)); err != nil {
		return nil, 0, err
	}
	if int64(t.body.Len()) > t.cfg.MaxBodyBytes {
		return nil, 0, fmt.Errorf("%w (%d bytes)", ErrBodyTooLarge, t.cfg.MaxBodyBytes)
	}
	if t.parser == nil {
		t.parser = NewParser(t.cfg.Labels)
	}
	return t.parser.Parse(t.body.Bytes())
}

// shrinkBody lets go of the body buffer when it is much larger than the
// body it last held (one huge response must not pin its memory); the next
// scrape allocates one the size of this body.
func (t *target) shrinkBody() {
	t.lastBody = t.body.Len()
	if t.body.Cap() > t.lastBody+t.lastBody/4+64<<10 {
		t.body = bytes.Buffer{}
	}
}

// reasonOf maps a scrape error to its bounded reason.
func reasonOf(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, ErrBodyTooLarge):
		return ReasonTooLarge
	case errors.Is(err, ErrHTTPStatus):
		return ReasonHTTPStatus
	case errors.Is(err, ErrParse):
		return ReasonParse
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return ReasonTimeout
	default:
		return ReasonUnreachable
	}
}
