package dashboards_test

import (
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/dashboards"
	"github.com/voicewatch/voicewatch/dashboards/dashtest"
	"github.com/voicewatch/voicewatch/internal/slo"
)

// TestThresholds checks that the incident's targets colour the panels, and
// that a Config changes them.
func TestThresholds(t *testing.T) {
	tests := []struct {
		name      string
		cfg       dashboards.Config
		panel     string
		unit      string
		wantValue float64
		wantColor string
	}{
		{"connection success default 95 %", dashboards.Config{}, "Connection success rate", "percentunit", 0.95, "green"},
		{"connection success configured", dashboards.Config{ConnectionSuccessTarget: 0.97}, "Connection success rate", "percentunit", 0.97, "green"},
		{"completion default 90 %", dashboards.Config{}, "Session completion rate", "percentunit", 0.90, "green"},
		{"ICE gathering default 3 s", dashboards.Config{}, "ICE gathering time", "s", 3, "red"},
		{"ICE gathering stat configured", dashboards.Config{ICEGatheringTarget: 2 * time.Second}, "ICE gathering p95", "s", 2, "red"},
		{"SLO stat objective", dashboards.Config{Objectives: slo.Objectives{ConnectionObjective: 0.995}}, "Connection success", "percentunit", 0.995, "green"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := dashtest.Panels(t, tt.cfg, "voicewatch-overview")[tt.panel]
			if !ok {
				t.Fatalf("no panel %q", tt.panel)
			}
			if p.FieldConfig.Defaults.Unit != tt.unit {
				t.Errorf("unit = %q, want %q", p.FieldConfig.Defaults.Unit, tt.unit)
			}
			found := false
			for _, s := range p.Steps() {
				if s.Value != nil && *s.Value == tt.wantValue && s.Color == tt.wantColor {
					found = true
				}
			}
			if !found {
				t.Errorf("no %s step at %v in %+v", tt.wantColor, tt.wantValue, p.Steps())
			}
		})
	}
}

// TestStableUIDs pins the UIDs that links and bookmarks depend on.
func TestStableUIDs(t *testing.T) {
	ds := dashtest.Dashboards(t, dashboards.Config{})
	want := []string{"voicewatch-overview", "voicewatch-probes", "voicewatch-edge", "voicewatch-sidecar"}
	if len(ds) != len(want) {
		t.Fatalf("%d dashboards, want %d", len(ds), len(want))
	}
	for i, d := range ds {
		if d.UID != want[i] {
			t.Errorf("dashboard %d UID = %q, want %q", i, d.UID, want[i])
		}
	}
}
