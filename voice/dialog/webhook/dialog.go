package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"

	"github.com/voicewatch/voicewatch/internal/funcopt"
	"github.com/voicewatch/voicewatch/voice"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// Name is the provider name of the dialog.
const Name = "webhook"

// maxReply bounds the answer read from the endpoint.
const maxReply = 64 << 10

// Dialog posts each turn to the endpoint.
type Dialog struct {
	cfg    Config
	client *http.Client
	log    *slog.Logger
}

var _ voice.Dialog = (*Dialog)(nil)

// Request is the JSON body posted for each turn.
type Request struct {
	SessionID  string `json:"session_id"`
	Turn       int    `json:"turn"` // 0 asks for the greeting
	Transcript string `json:"transcript"`
	TimedOut   bool   `json:"timed_out"`
}

// Response is the JSON the endpoint answers with.
type Response struct {
	Text   string `json:"text"`
	Hangup bool   `json:"hangup"`
}

// New applies cfg's defaults, validates it, reads the token and builds
// the dialog.
func New(cfg Config, opts ...Option) (*Dialog, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	tok, err := cfg.token()
	if err != nil {
		return nil, err
	}
	cfg.Token = tok
	o := funcopt.Apply(options{}, opts)
	o.logger = funcopt.Logger(o.logger)
	if o.client == nil {
		o.client = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	return &Dialog{cfg: cfg, client: o.client, log: o.logger.With("component", "dialog", "provider", Name)}, nil
}

// Close releases idle connections.
func (d *Dialog) Close() { d.client.CloseIdleConnections() }

// Name implements voice.Dialog.
func (*Dialog) Name() string { return Name }

// Greeting implements voice.Dialog: turn 0, when Config.Greeting is set.
func (d *Dialog) Greeting(ctx context.Context, sessionID string) (voice.Reply, error) {
	if !d.cfg.Greeting {
		return voice.Reply{}, nil
	}
	return d.post(ctx, Request{SessionID: sessionID})
}

// Reply implements voice.Dialog.
func (d *Dialog) Reply(ctx context.Context, t voice.Turn) (voice.Reply, error) {
	return d.post(ctx, Request{SessionID: t.SessionID, Turn: t.Index, Transcript: t.Transcript.Text, TimedOut: t.TimedOut})
}

func (d *Dialog) post(ctx context.Context, r Request) (voice.Reply, error) {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	body, _ := json.Marshal(r)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return voice.Reply{}, perr(voicemetrics.ReasonOther, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if d.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+d.cfg.Token.Reveal())
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return voice.Reply{}, classify(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxReply+1))
	if err != nil {
		return voice.Reply{}, classify(err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return voice.Reply{}, perr(reasonOfStatus(resp.StatusCode), fmt.Errorf("%w: %s", ErrStatus, resp.Status))
	}
	if len(b) > maxReply {
		return voice.Reply{}, perr(voicemetrics.ReasonOther, fmt.Errorf("%w: larger than %d bytes", ErrBadReply, maxReply))
	}
	var out Response
	if err := json.Unmarshal(b, &out); err != nil {
		return voice.Reply{}, perr(voicemetrics.ReasonOther, fmt.Errorf("%w: %v", ErrBadReply, err))
	}
	return voice.Reply{Text: out.Text, Hangup: out.Hangup}, nil
}

func reasonOfStatus(code int) string {
	switch code {
	case http.StatusUnauthorized, http.StatusForbidden:
		return voicemetrics.ReasonAuth
	case http.StatusTooManyRequests:
		return voicemetrics.ReasonThrottled
	case http.StatusRequestTimeout, http.StatusGatewayTimeout:
		return voicemetrics.ReasonTimeout
	case http.StatusPaymentRequired:
		return voicemetrics.ReasonQuota
	}
	return voicemetrics.ReasonOther
}

// classify names a transport failure: our deadline is a timeout, anything
// on the wire is network.
func classify(err error) *voice.ProviderError {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return perr(voicemetrics.ReasonTimeout, err)
	case errors.Is(err, context.Canceled):
		return perr(voicemetrics.ReasonOther, err)
	}
	return perr(voicemetrics.ReasonNetwork, err)
}

func perr(reason string, err error) *voice.ProviderError {
	return &voice.ProviderError{Provider: Name, Reason: reason, Err: err}
}
