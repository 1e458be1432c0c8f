package transcribe

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"

	"github.com/voicewatch/voicewatch/voice"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// ProviderName is the provider label value of this adapter.
const ProviderName = "transcribe"

// noAudioTimeout matches the service's 15 s no-audio timeout, a
// BadRequestException: "Your request timed out because no new audio was
// received for 15 seconds."
func isNoAudioTimeout(e *APIError) bool {
	return e.Code == "BadRequestException" && strings.Contains(strings.ToLower(e.Message), "timed out")
}

// classify wraps err as a *voice.ProviderError with its reason, and says
// whether retrying the request may help.
func classify(err error) (pe *voice.ProviderError, retry bool) {
	if errors.As(err, &pe) {
		return pe, false
	}
	reason, retry := reasonOf(err)
	return &voice.ProviderError{Provider: ProviderName, Reason: reason, Err: err}, retry
}

func reasonOf(err error) (reason string, retry bool) {
	var ae *APIError
	if errors.As(err, &ae) {
		return apiReason(ae)
	}
	var ne net.Error
	switch {
	case errors.Is(err, ErrConnectTimeout), errors.Is(err, ErrResultTimeout):
		return voicemetrics.ReasonTimeout, true
	case errors.Is(err, ErrOverflow), errors.Is(err, ErrStreamEnded):
		return voicemetrics.ReasonNetwork, true
	case errors.Is(err, context.DeadlineExceeded):
		return voicemetrics.ReasonTimeout, true
	case errors.As(err, &ne) && ne.Timeout():
		return voicemetrics.ReasonTimeout, true
	case errors.As(err, &ne):
		return voicemetrics.ReasonNetwork, true
	case isTransportError(err):
		return voicemetrics.ReasonNetwork, true
	}
	return voicemetrics.ReasonOther, false
}

// apiReason maps the service's error codes and statuses (the
// StartStreamTranscription errors plus the common AWS auth errors).
func apiReason(e *APIError) (string, bool) {
	switch e.Code {
	case "BadRequestException":
		if isNoAudioTimeout(e) {
			return voicemetrics.ReasonTimeout, false
		}
		return voicemetrics.ReasonOther, false
	case "LimitExceededException", "ThrottlingException", "TooManyRequestsException":
		return voicemetrics.ReasonThrottled, true
	case "InternalFailureException", "ServiceUnavailableException":
		return voicemetrics.ReasonOther, true
	case "ConflictException":
		return voicemetrics.ReasonOther, true
	case "UnrecognizedClientException", "InvalidSignatureException", "AccessDeniedException",
		"ExpiredTokenException", "MissingAuthenticationTokenException", "IncompleteSignatureException",
		"SignatureDoesNotMatch":
		return voicemetrics.ReasonAuth, false
	}
	switch {
	case e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden:
		return voicemetrics.ReasonAuth, false
	case e.Status == http.StatusTooManyRequests:
		return voicemetrics.ReasonThrottled, true
	case e.Status >= 500:
		return voicemetrics.ReasonOther, true
	}
	return voicemetrics.ReasonOther, false
}

// isTransportError recognises HTTP/2 stream and connection failures that do
// not implement net.Error (stream resets, GOAWAY, unexpected EOF).
func isTransportError(err error) bool {
	s := err.Error()
	for _, m := range []string{"unexpected EOF", "stream error", "connection reset", "GOAWAY", "broken pipe", "connection refused", "http2:"} {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}
