package main

import (
	"encoding/json"
	"io"

	"github.com/voicewatch/voicewatch/probes"
)

// jsonResult is the JSON shape of one probe.
type jsonResult struct {
	Name            string            `json:"name"`
	Kind            string            `json:"kind"`
	Target          string            `json:"target"`
	Success         bool              `json:"success"`
	DurationSeconds float64           `json:"duration_seconds"`
	Phases          probes.Phases     `json:"phases"`
	Details         map[string]string `json:"details,omitempty"`
	Failure         *jsonFailure      `json:"failure,omitempty"`
}

type jsonFailure struct {
	Phase   string `json:"phase"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
	Hint    string `json:"hint"`
}

// writeJSON writes a JSON array with one object per probe.
func writeJSON(w io.Writer, results []probes.Result) error {
	out := make([]jsonResult, 0, len(results))
	for _, r := range results {
		jr := jsonResult{Name: r.Probe, Kind: r.Kind, Target: r.Target, Success: r.Success,
			DurationSeconds: r.Duration.Seconds(), Phases: r.Phases, Details: r.Details}
		if jr.Phases == nil {
			jr.Phases = probes.Phases{}
		}
		if f := r.Failure; f != nil && !r.Success {
			jr.Failure = &jsonFailure{Phase: f.Phase, Reason: string(f.Reason), Message: f.Message(), Hint: f.Reason.Hint()}
		}
		out = append(out, jr)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
