// Package store saves voice sessions. Store is the interface the media core
// writes through; FileStore is the embedded default on local disk, and the
// DynamoDB adapter (a later issue) implements the same interface.
package store

import (
	"context"
	"errors"
	"time"
)

// Errors returned by stores.
var (
	// ErrNotFound: no record with that ID.
	ErrNotFound = errors.New("store: session not found")
	// ErrConflict: the record changed since it was read (version check).
	ErrConflict = errors.New("store: version conflict")
	// ErrThrottled: the backend asked us to slow down; retry later.
	ErrThrottled = errors.New("store: throttled")
)

// Record is one voice session as saved. Version increases with every write;
// a write whose Version is not the stored version + 1 fails with ErrConflict.
type Record struct {
	ID          string    `json:"id"`
	Version     int       `json:"version"`
	State       string    `json:"state"` // started, connected, ended
	Outcome     string    `json:"outcome,omitempty"`
	Reason      string    `json:"reason,omitempty"`
	ClientIP    string    `json:"client_ip,omitempty"`
	Codec       string    `json:"codec,omitempty"`
	StartedAt   time.Time `json:"started_at"`
	ConnectedAt time.Time `json:"connected_at,omitzero"`
	EndedAt     time.Time `json:"ended_at,omitzero"`
	// ICEGatheringSeconds and SetupSeconds are the measured phase times.
	ICEGatheringSeconds float64 `json:"ice_gathering_seconds,omitempty"`
	SetupSeconds        float64 `json:"setup_seconds,omitempty"`
	// SelectedPair is "local_type/remote_type/protocol", e.g. "host/host/udp".
	SelectedPair string `json:"selected_pair,omitempty"`
	Turns        int    `json:"turns"`
	ICERestarts  int    `json:"ice_restarts"`
	// Media quality at the end of the session, from RTCP reports: loss
	// ratios (0..1) in each direction (in = the caller's audio as the
	// media core received it), mean interarrival jitter, mean round-trip
	// time, and the ITU-T G.107 E-model MOS estimate. Zero when no report
	// was seen.
	MOS              float64 `json:"mos,omitempty"`
	PacketLossIn     float64 `json:"packet_loss_in,omitempty"`
	PacketLossOut    float64 `json:"packet_loss_out,omitempty"`
	JitterInSeconds  float64 `json:"jitter_in_seconds,omitempty"`
	JitterOutSeconds float64 `json:"jitter_out_seconds,omitempty"`
	RTTSeconds       float64 `json:"rtt_seconds,omitempty"`
	// RedialOf is the session this one replaced: the caller lost it (ICE
	// failed) and called again, linking the two.
	RedialOf string `json:"redial_of,omitempty"`
	// Owner is the URL of the media core that holds the session
	// (cluster.advertise_url): the session directory other instances
	// forward PATCH, DELETE and /events to.
	Owner string `json:"owner,omitempty"`
}

// Store saves and loads session records.
type Store interface {
	// Put writes r if r.Version is the stored version + 1 (1 for a new record).
	Put(ctx context.Context, r Record) error
	// Get loads the record with that ID.
	Get(ctx context.Context, id string) (Record, error)
}
