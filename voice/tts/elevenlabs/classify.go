package elevenlabs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/coder/websocket"

	"github.com/voicewatch/voicewatch/voice"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// Classification of the service's failures into the bounded reasons of
// voice_tts_errors_total. The shapes are the documented and observed ones:
//   - an HTTP status on the handshake (401/403 bad key, 402 and a
//     quota_exceeded body, 429 too_many_concurrent_requests, 5xx);
//   - an in-band error frame {"message": ..., "error": code, "code": 1008};
//   - a close frame: 1008 "voice_settings field must be provided in the first
//     message ...", 1008 "Have not received a new text input within the
//     timeout of 20 seconds ...", 1013 try again later, 1011 internal error;
//   - transport failures (refused, reset, EOF) and our own deadlines.

// errorFrame is the service's in-band error message.
type errorFrame struct {
	Message string `json:"message"`
	Error   string `json:"error"`
	Code    int    `json:"code"`
}

// reasonOfCode maps an error code string (frame "error" or HTTP detail
// "status") onto a reason; "" when unknown.
func reasonOfCode(code string) string {
	c := strings.ToLower(code)
	switch {
	case strings.Contains(c, "quota"), strings.Contains(c, "credits"), strings.Contains(c, "payment"):
		return voicemetrics.ReasonQuota
	case strings.Contains(c, "api_key"), strings.Contains(c, "api key"), strings.Contains(c, "unauthorized"),
		strings.Contains(c, "authoriz"), strings.Contains(c, "permission"):
		return voicemetrics.ReasonAuth
	case strings.Contains(c, "too_many"), strings.Contains(c, "too many"), strings.Contains(c, "rate_limit"),
		strings.Contains(c, "rate limit"), strings.Contains(c, "concurrent"), strings.Contains(c, "busy"):
		return voicemetrics.ReasonThrottled
	case strings.Contains(c, "timeout"), strings.Contains(c, "have not received"):
		return voicemetrics.ReasonTimeout
	case strings.Contains(c, "voice_settings"), strings.Contains(c, "first message"), strings.Contains(c, "policy"):
		return voicemetrics.ReasonPolicyViolation
	}
	return ""
}

// classifyFrame classifies an in-band error frame.
func classifyFrame(f errorFrame) *voice.ProviderError {
	reason := reasonOfCode(f.Error)
	if reason == "" {
		reason = reasonOfCode(f.Message)
	}
	if reason == "" {
		reason = voicemetrics.ReasonOther
	}
	return perr(reason, fmt.Errorf("%w: error frame %q: %s", ErrService, f.Error, f.Message))
}

// classifyHandshake classifies a refused handshake from its status and body.
func classifyHandshake(resp *http.Response) *voice.ProviderError {
	var body struct {
		Detail struct {
			Status  string `json:"status"`
			Message string `json:"message"`
		} `json:"detail"`
	}
	if resp.Body != nil {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		_ = json.Unmarshal(b, &body)
	}
	reason := reasonOfCode(body.Detail.Status)
	if reason == "" {
		switch {
		case resp.StatusCode == http.StatusUnauthorized, resp.StatusCode == http.StatusForbidden:
			reason = voicemetrics.ReasonAuth
		case resp.StatusCode == http.StatusPaymentRequired:
			reason = voicemetrics.ReasonQuota
		case resp.StatusCode == http.StatusTooManyRequests:
			reason = voicemetrics.ReasonThrottled
		case resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusGatewayTimeout:
			reason = voicemetrics.ReasonTimeout
		default:
			reason = voicemetrics.ReasonOther
		}
	}
	return perr(reason, fmt.Errorf("%w: HTTP %d %s", ErrHandshake, resp.StatusCode, body.Detail.Status))
}

// classifyConn classifies a dial, read or write error; ctx is the caller's.
func classifyConn(ctx context.Context, err error) *voice.ProviderError {
	var ce websocket.CloseError
	switch {
	case errors.As(err, &ce):
		return classifyClose(ce)
	case errors.Is(err, ErrFirstByteTimeout), errors.Is(err, ErrChunkTimeout):
		return perr(voicemetrics.ReasonTimeout, err)
	case errors.Is(err, context.DeadlineExceeded):
		return perr(voicemetrics.ReasonTimeout, err)
	case ctx.Err() != nil: // the session ended: not the provider's fault
		return perr(voicemetrics.ReasonOther, fmt.Errorf("cancelled: %w", ctx.Err()))
	}
	return perr(voicemetrics.ReasonNetwork, err)
}

// classifyClose classifies a close frame from the service.
func classifyClose(ce websocket.CloseError) *voice.ProviderError {
	err := fmt.Errorf("%w: closed with %d %q", ErrService, int(ce.Code), ce.Reason)
	switch ce.Code {
	case websocket.StatusPolicyViolation:
		if r := reasonOfCode(ce.Reason); r != "" {
			return perr(r, err)
		}
		return perr(voicemetrics.ReasonPolicyViolation, err)
	case websocket.StatusTryAgainLater:
		return perr(voicemetrics.ReasonThrottled, err)
	case websocket.StatusAbnormalClosure, websocket.StatusGoingAway:
		return perr(voicemetrics.ReasonNetwork, err)
	}
	if r := reasonOfCode(ce.Reason); r != "" {
		return perr(r, err)
	}
	return perr(voicemetrics.ReasonOther, err)
}

func perr(reason string, err error) *voice.ProviderError {
	return &voice.ProviderError{Provider: Name, Reason: reason, Err: err}
}
