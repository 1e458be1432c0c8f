package dynamo

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/internal/dynamotest"
	"github.com/voicewatch/voicewatch/voice/store"
)

const tableName = "voice-sessions"

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func newStore(t *testing.T, srv *dynamotest.Server, cfg Config) *Store {
	t.Helper()
	srv.CreateTable(tableName, "id")
	cfg.Table = tableName
	cfg.Endpoint = srv.URL
	cfg.Region = dynamotest.Region
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = time.Millisecond
	}
	st, err := New(context.Background(), cfg, WithCredentials(srv.Credentials()), WithNow(func() time.Time { return t0 }))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func record(version int) store.Record {
	return store.Record{
		ID: "s1", Version: version, State: "connected", ClientIP: "203.0.113.7", Codec: "opus",
		StartedAt: t0, ConnectedAt: t0.Add(1500 * time.Millisecond), ICEGatheringSeconds: 0.25,
		SetupSeconds: 1.5, SelectedPair: "host/srflx/udp", Turns: version - 1,
	}
}

func TestPutGetRoundTrip(t *testing.T) {
	srv := dynamotest.New(t)
	st := newStore(t, srv, Config{TTL: 48 * time.Hour})
	ctx := context.Background()
	r := record(1)
	if err := st.Put(ctx, r); err != nil {
		t.Fatalf("Put v1: %v", err)
	}
	r2 := record(2)
	r2.State, r2.Outcome, r2.EndedAt = "ended", "completed", t0.Add(time.Minute)
	// The media quality at the end of the session (RTCP and the E-model).
	r2.MOS, r2.PacketLossIn, r2.PacketLossOut = 4.12, 0.013, 0.021
	r2.JitterInSeconds, r2.JitterOutSeconds, r2.RTTSeconds = 0.0042, 0.0061, 0.087
	if err := st.Put(ctx, r2); err != nil {
		t.Fatalf("Put v2: %v", err)
	}
	got, err := st.Get(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if got != r2 {
		t.Errorf("Get = %+v\nwant  %+v", got, r2)
	}
	item := srv.Get(tableName, "s1")
	if exp := item["expires_at"]["N"]; exp != strconv.FormatInt(t0.Add(48*time.Hour).Unix(), 10) {
		t.Errorf("expires_at = %v, want now + TTL in epoch seconds", exp)
	}
	calls := srv.Calls()
	if calls[0].Condition != "attribute_not_exists(#k)" || calls[1].Condition != "#v = :prev" {
		t.Errorf("conditions = %q, %q", calls[0].Condition, calls[1].Condition)
	}
}

func TestVersionConflicts(t *testing.T) {
	tests := []struct {
		name   string
		stored []int // versions written first
		put    int
	}{
		{"new record twice", []int{1}, 1},
		{"stale writer", []int{1, 2}, 2},
		{"skipped version", []int{1}, 3},
		{"update of a missing record", nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := dynamotest.New(t)
			st := newStore(t, srv, Config{})
			for _, v := range tt.stored {
				if err := st.Put(context.Background(), record(v)); err != nil {
					t.Fatalf("setup Put v%d: %v", v, err)
				}
			}
			err := st.Put(context.Background(), record(tt.put))
			if !errors.Is(err, store.ErrConflict) {
				t.Fatalf("Put v%d = %v, want ErrConflict", tt.put, err)
			}
			if n := len(srv.Calls()); n != len(tt.stored)+1 {
				t.Errorf("%d calls: a conflict must not be retried", n)
			}
		})
	}
}

func TestThrottlingRetriedThenReported(t *testing.T) {
	tests := []struct {
		name    string
		faults  []dynamotest.Fault
		wantErr error // nil: the write succeeds after retries
	}{
		{"throughput exceeded once", []dynamotest.Fault{dynamotest.FaultThroughput}, nil},
		{"throttling twice", []dynamotest.Fault{dynamotest.FaultThrottling, dynamotest.FaultThrottling}, nil},
		{"5xx then ok", []dynamotest.Fault{dynamotest.FaultInternal, dynamotest.FaultUnavailable}, nil},
		{"throttled on every attempt", []dynamotest.Fault{dynamotest.FaultThroughput, dynamotest.FaultThroughput, dynamotest.FaultThroughput}, store.ErrThrottled},
		{"throttling exception on every attempt", []dynamotest.Fault{dynamotest.FaultThrottling, dynamotest.FaultThrottling, dynamotest.FaultThrottling}, store.ErrThrottled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := dynamotest.New(t)
			st := newStore(t, srv, Config{MaxAttempts: 3})
			srv.Fail(tt.faults...)
			err := st.Put(context.Background(), record(1))
			if tt.wantErr == nil && err != nil {
				t.Fatalf("Put: %v", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("Put = %v, want %v", err, tt.wantErr)
			}
			if n := len(srv.Calls()); n != min(len(tt.faults)+1, 3) {
				t.Errorf("%d attempts, want %d", n, min(len(tt.faults)+1, 3))
			}
			if tt.wantErr == nil && srv.Get(tableName, "s1") == nil {
				t.Error("item not stored after the retries")
			}
		})
	}
}

func TestHungConnectionRetried(t *testing.T) {
	srv := dynamotest.New(t)
	st := newStore(t, srv, Config{AttemptTimeout: 200 * time.Millisecond, MaxAttempts: 2})
	srv.Fail(dynamotest.FaultHang)
	if err := st.Put(context.Background(), record(1)); err != nil {
		t.Fatalf("Put after a hung attempt: %v", err)
	}
	calls := srv.Calls()
	if len(calls) != 2 || calls[0].Result != "hang" || calls[1].Result != "ok" {
		t.Errorf("calls = %+v", calls)
	}
}

func TestCallerDeadline(t *testing.T) {
	srv := dynamotest.New(t)
	st := newStore(t, srv, Config{AttemptTimeout: time.Hour})
	srv.Fail(dynamotest.FaultHang)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := st.Put(ctx, record(1))
	if err == nil || errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrThrottled) {
		t.Fatalf("Put = %v, want a deadline error", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Put = %v, want context.DeadlineExceeded in the chain", err)
	}
}

func TestGetNotFound(t *testing.T) {
	srv := dynamotest.New(t)
	st := newStore(t, srv, Config{})
	if _, err := st.Get(context.Background(), "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get = %v, want ErrNotFound", err)
	}
}

func TestErrorsDoNotLeakSecrets(t *testing.T) {
	srv := dynamotest.New(t)
	st := newStore(t, srv, Config{MaxAttempts: 1})
	srv.Fail(dynamotest.FaultInternal)
	err := st.Put(context.Background(), record(1))
	if err == nil || strings.Contains(err.Error(), dynamotest.SecretAccessKey) {
		t.Errorf("err = %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"minimal", Config{Table: "t"}, ""},
		{"no table", Config{}, "table is empty"},
		{"bad endpoint", Config{Table: "t", Endpoint: "localhost:8000"}, "use an absolute http:// or https:// URL"},
		{"short ttl", Config{Table: "t", TTL: time.Minute}, "ttl 1m0s: use at least 1h"},
		{"same attributes", Config{Table: "t", KeyAttribute: "x", TTLAttribute: "x"}, `both "x"`},
		{"attempts", Config{Table: "t", MaxAttempts: 99}, "max_attempts 99: use 1 to 20"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want %q", err, tt.want)
			}
		})
	}
}
