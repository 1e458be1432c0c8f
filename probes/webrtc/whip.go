package webrtc

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// whipClient speaks the client side of WHIP (RFC 9725).
type whipClient struct {
	http     *http.Client
	endpoint *url.URL
	token    string
	// resource is the session URL from the Location header.
	resource string
	etag     string
}

// offer POSTs the SDP offer (§4.2) and returns the SDP answer. It expects
// 201 Created with a Location header.
func (w *whipClient) offer(ctx context.Context, sdp string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.endpoint.String(), strings.NewReader(sdp))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/sdp")
	w.auth(req)
	resp, err := w.http.Do(req)
	if err != nil {
		return "", unwrapURLError(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("read answer: %w", err)
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return "", fmt.Errorf("%w: POST returned %d", ErrUnauthorized, resp.StatusCode)
	case resp.StatusCode != http.StatusCreated:
		return "", fmt.Errorf("%w: POST returned %d, want 201", ErrSignaling, resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return "", fmt.Errorf("%w: 201 without Location", ErrSignaling)
	}
	lu, err := w.endpoint.Parse(loc)
	if err != nil {
		return "", fmt.Errorf("%w: bad Location: %w", ErrSignaling, err)
	}
	// The bearer token goes with every PATCH and DELETE to the resource:
	// only to the endpoint's own origin, never where a Location points.
	if !strings.EqualFold(lu.Scheme, w.endpoint.Scheme) || !strings.EqualFold(lu.Host, w.endpoint.Host) {
		return "", fmt.Errorf("%w: Location %s://%s is not the endpoint's origin; the token is not sent there", ErrSignaling, lu.Scheme, lu.Host)
	}
	w.resource = lu.String()
	w.etag = resp.Header.Get("ETag")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/sdp") {
		return "", fmt.Errorf("%w: answer Content-Type %q, want application/sdp", ErrSignaling, ct)
	}
	if !bytes.HasPrefix(body, []byte("v=0")) {
		return "", fmt.Errorf("%w: answer is not SDP", ErrSignaling)
	}
	return string(body), nil
}

// trickle PATCHes an SDP fragment with candidates (§4.3.1, RFC 8840). It
// reports supported=false when the server does not do trickle (405/501).
func (w *whipClient) trickle(ctx context.Context, frag string) (supported bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPatch, w.resource, strings.NewReader(frag))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/trickle-ice-sdpfrag")
	if w.etag != "" {
		req.Header.Set("If-Match", w.etag)
	}
	w.auth(req)
	resp, err := w.http.Do(req)
	if err != nil {
		return false, unwrapURLError(err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	_ = resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusOK:
		return true, nil
	case resp.StatusCode == http.StatusMethodNotAllowed || resp.StatusCode == http.StatusNotImplemented:
		return false, nil
	default:
		return false, fmt.Errorf("%w: PATCH returned %d, want 204", ErrSignaling, resp.StatusCode)
	}
}

// hangup DELETEs the session resource (§4.2).
func (w *whipClient) hangup(ctx context.Context) error {
	if w.resource == "" {
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, w.resource, nil)
	if err != nil {
		return err
	}
	w.auth(req)
	resp, err := w.http.Do(req)
	if err != nil {
		return unwrapURLError(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%w: DELETE returned %d", ErrSignaling, resp.StatusCode)
	}
	return nil
}

func (w *whipClient) auth(req *http.Request) {
	if w.token != "" {
		req.Header.Set("Authorization", "Bearer "+w.token)
	}
}

// unwrapURLError drops *url.Error's quoted URL (which may carry a query
// token) and keeps the cause.
func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// sdpFrag builds a trickle-ice-sdpfrag body (RFC 8840 §4.4) for one media
// section's candidates; end adds a=end-of-candidates.
func sdpFrag(ufrag, pwd, mid string, candidates []string, end bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:%s\r\n", ufrag, pwd, mid)
	for _, c := range candidates {
		fmt.Fprintf(&b, "a=%s\r\n", c)
	}
	if end {
		b.WriteString("a=end-of-candidates\r\n")
	}
	return b.String()
}
