package dynamo

import (
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/voicewatch/voicewatch/voice/store"
)

// Item attribute names of a record (besides the key and TTL attributes).
const (
	attrVersion      = "version"
	attrState        = "state"
	attrOutcome      = "outcome"
	attrReason       = "reason"
	attrClientIP     = "client_ip"
	attrCodec        = "codec"
	attrStartedAt    = "started_at"
	attrConnectedAt  = "connected_at"
	attrEndedAt      = "ended_at"
	attrICEGathering = "ice_gathering_seconds"
	attrSetup        = "setup_seconds"
	attrSelectedPair = "selected_pair"
	attrTurns        = "turns"
	attrICERestarts  = "ice_restarts"
	attrMOS          = "mos"
	attrLossIn       = "packet_loss_in"
	attrLossOut      = "packet_loss_out"
	attrJitterIn     = "jitter_in_seconds"
	attrJitterOut    = "jitter_out_seconds"
	attrRTT          = "rtt_seconds"
	attrRedialOf     = "redial_of"
	attrOwner        = "owner"
)

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }
func ni(v int64) types.AttributeValue { return n(strconv.FormatInt(v, 10)) }

// toItem encodes r; empty strings and zero times are left out (DynamoDB
// rejects empty key strings, and absent reads back as zero).
func (st *Store) toItem(r store.Record, expires time.Time) map[string]types.AttributeValue {
	it := map[string]types.AttributeValue{
		st.cfg.KeyAttribute: s(r.ID),
		attrVersion:         ni(int64(r.Version)),
		attrTurns:           ni(int64(r.Turns)),
		attrICERestarts:     ni(int64(r.ICERestarts)),
		st.cfg.TTLAttribute: ni(expires.Unix()),
	}
	for k, v := range map[string]string{attrState: r.State, attrOutcome: r.Outcome, attrReason: r.Reason,
		attrClientIP: r.ClientIP, attrCodec: r.Codec, attrSelectedPair: r.SelectedPair, attrRedialOf: r.RedialOf, attrOwner: r.Owner} {
		if v != "" {
			it[k] = s(v)
		}
	}
	for k, v := range map[string]time.Time{attrStartedAt: r.StartedAt, attrConnectedAt: r.ConnectedAt, attrEndedAt: r.EndedAt} {
		if !v.IsZero() {
			it[k] = s(v.UTC().Format(time.RFC3339Nano))
		}
	}
	for k, v := range map[string]float64{attrICEGathering: r.ICEGatheringSeconds, attrSetup: r.SetupSeconds,
		attrMOS: r.MOS, attrLossIn: r.PacketLossIn, attrLossOut: r.PacketLossOut,
		attrJitterIn: r.JitterInSeconds, attrJitterOut: r.JitterOutSeconds, attrRTT: r.RTTSeconds} {
		if v != 0 {
			it[k] = n(strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	return it
}

// fromItem decodes a stored item.
func (st *Store) fromItem(it map[string]types.AttributeValue) (store.Record, error) {
	var r store.Record
	var err error
	str := func(k string) string {
		if v, ok := it[k].(*types.AttributeValueMemberS); ok {
			return v.Value
		}
		return ""
	}
	num := func(k string) float64 {
		v, ok := it[k].(*types.AttributeValueMemberN)
		if !ok {
			return 0
		}
		f, perr := strconv.ParseFloat(v.Value, 64)
		if perr != nil && err == nil {
			err = fmt.Errorf("%w: %s = %q: %v", ErrInvalidRecord, k, v.Value, perr)
		}
		return f
	}
	tm := func(k string) time.Time {
		v := str(k)
		if v == "" {
			return time.Time{}
		}
		t, perr := time.Parse(time.RFC3339Nano, v)
		if perr != nil && err == nil {
			err = fmt.Errorf("%w: %s = %q: %v", ErrInvalidRecord, k, v, perr)
		}
		return t
	}
	r.ID = str(st.cfg.KeyAttribute)
	r.Version = int(num(attrVersion))
	r.State, r.Outcome, r.Reason = str(attrState), str(attrOutcome), str(attrReason)
	r.ClientIP, r.Codec, r.SelectedPair = str(attrClientIP), str(attrCodec), str(attrSelectedPair)
	r.RedialOf, r.Owner = str(attrRedialOf), str(attrOwner)
	r.StartedAt, r.ConnectedAt, r.EndedAt = tm(attrStartedAt), tm(attrConnectedAt), tm(attrEndedAt)
	r.ICEGatheringSeconds, r.SetupSeconds = num(attrICEGathering), num(attrSetup)
	r.Turns, r.ICERestarts = int(num(attrTurns)), int(num(attrICERestarts))
	r.MOS, r.PacketLossIn, r.PacketLossOut = num(attrMOS), num(attrLossIn), num(attrLossOut)
	r.JitterInSeconds, r.JitterOutSeconds, r.RTTSeconds = num(attrJitterIn), num(attrJitterOut), num(attrRTT)
	return r, err
}
