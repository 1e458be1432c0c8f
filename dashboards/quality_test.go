package dashboards

import (
	"testing"

	"github.com/voicewatch/voicewatch/alerts"
)

// The quality row's threshold lines are the alerts' default thresholds.
func TestQualityThresholdsMatchTheAlerts(t *testing.T) {
	if mosFair != alerts.DefaultMOSP10 {
		t.Errorf("MOS line at %v, VoiceMOSLow default at %v", mosFair, alerts.DefaultMOSP10)
	}
	if probeLossTicket != alerts.DefaultProbeLossRatio {
		t.Errorf("probe loss line at %v, ProbePacketLossHigh default at %v", probeLossTicket, alerts.DefaultProbeLossRatio)
	}
}
