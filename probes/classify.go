package probes

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"syscall"
)

// Classify maps a transport-level error to a Reason: DNS failures, timeouts
// (including ctx deadlines), refused or unreachable connections (ICMP) and
// TLS failures. It returns ReasonOther for anything else; kinds classify
// their protocol errors (TURN error codes, HTTP statuses) before calling it.
func Classify(err error) Reason {
	if err == nil {
		return ""
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.IsTimeout {
			return ReasonTimeout
		}
		return ReasonDNS
	}
	if isTLS(err) {
		return ReasonTLS
	}
	switch {
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EHOSTDOWN):
		return ReasonUnreachable
	case errors.Is(err, ErrTimeout), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, os.ErrDeadlineExceeded):
		return ReasonTimeout
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ReasonTimeout
	}
	return ReasonOther
}

func isTLS(err error) bool {
	var (
		recErr   tls.RecordHeaderError
		certErr  *tls.CertificateVerificationError
		unkAuth  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		invErr   x509.CertificateInvalidError
		alertErr tls.AlertError
	)
	return errors.As(err, &recErr) || errors.As(err, &certErr) || errors.As(err, &unkAuth) ||
		errors.As(err, &hostErr) || errors.As(err, &invErr) || errors.As(err, &alertErr)
}
