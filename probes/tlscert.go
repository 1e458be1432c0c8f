package probes

import (
	"crypto/x509"
	"time"
)

// EarliestExpiry returns the earliest NotAfter of a certificate chain (what
// blackbox_exporter's probe_ssl_earliest_cert_expiry reports), or the zero
// time for no certificates.
func EarliestExpiry(chain []*x509.Certificate) time.Time {
	var t time.Time
	for _, c := range chain {
		if t.IsZero() || c.NotAfter.Before(t) {
			t = c.NotAfter
		}
	}
	return t
}
