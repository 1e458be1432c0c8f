package voice

import (
	"context"
	"errors"
	"net/netip"
	"time"

	"github.com/voicewatch/voicewatch/internal/httpguard"
	"github.com/voicewatch/voicewatch/voice/store"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// rejectReason maps an admission error onto its bounded reason
// (voicemetrics.RejectReasons).
func rejectReason(err error) string {
	switch {
	case errors.Is(err, ErrClientSessionCap):
		return voicemetrics.RejectClientSessionCap
	case errors.Is(err, ErrShuttingDown):
		return voicemetrics.RejectShuttingDown
	case errors.Is(err, ErrNoMediaPort):
		return voicemetrics.RejectNoMediaPort
	}
	return voicemetrics.RejectSessionCap
}

// clientSessions counts the open sessions of sess's client (an IPv6 /64
// counts as one client); s.mu must be held.
func (s *Server) clientSessionsLocked(client string) int {
	key := clientKey(client)
	if !key.IsValid() {
		return 0
	}
	n := 0
	for _, o := range s.sessions {
		if clientKey(o.clientIP) == key {
			n++
		}
	}
	return n
}

func clientKey(ip string) netip.Addr {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return netip.Addr{}
	}
	return httpguard.ClientKey(a)
}

// sweepStore deletes file store records older than store.retention, at
// start and then every retention/24 (at most hourly), until ctx ends.
func (s *Server) sweepStore(ctx context.Context) {
	fs, ok := s.store.(*store.FileStore)
	if !ok || s.cfg.Store.Retention <= 0 {
		return
	}
	every := min(max(s.cfg.Store.Retention/24, time.Second), time.Hour)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := fs.Sweep(ctx, s.now().Add(-s.cfg.Store.Retention))
		if err != nil && ctx.Err() == nil {
			s.log.Warn("store retention sweep failed", "err", err)
		} else if n > 0 {
			s.log.Debug("store retention", "deleted", n, "retention", s.cfg.Store.Retention.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
