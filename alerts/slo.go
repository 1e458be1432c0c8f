package alerts

import (
	"fmt"
	"strings"
	"time"

	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// Burn-rate factors and windows (Google SRE workbook, ch. 5; Sloth): a page
// when 2% of a 30-day budget burns in 1h (14.4×) or 5% in 6h (6×), a ticket
// when 10% burns in 3d (1×). Each long window is paired with a short one
// (1/12 of it) so the alert resets quickly once the burn stops.
const (
	fastPageFactor = 14.4
	slowPageFactor = 6.0
	ticketFactor   = 1
)

// burnWindow is one (long, short) window pair with its factor and severity.
type burnWindow struct {
	long, short string
	factor      float64
	severity    string
}

var burnWindows = []burnWindow{
	{"1h", "5m", fastPageFactor, SeverityPage},
	{"6h", "30m", slowPageFactor, SeverityPage},
	{"3d", "6h", ticketFactor, SeverityTicket},
}

// sloDef describes one SLO: errors/total as PromQL selectors over counters.
type sloDef struct {
	alert     string
	record    string // recording rule prefix
	objective float64
	errSel    string // selector of the bad events
	totalSel  string // selector of all events
	what      string // human description of an event ("WebRTC connection attempts")
	bad       string // human description of a bad event
}

func (c Config) slos() []sloDef {
	job := eq("job", c.VoiceJob)
	ended := re(voicemetrics.LabelOutcome, strings.Join([]string{voicemetrics.OutcomeCompleted, voicemetrics.OutcomeAbandoned, voicemetrics.OutcomeFailed}, "|"))
	return []sloDef{{
		alert:     AlertConnectionBudgetBurn,
		record:    RecordConnectionErrorRatioPrefix,
		objective: c.ConnectionObjective,
		errSel:    selector(voicemetrics.MetricConnections, job, ne(voicemetrics.LabelResult, voicemetrics.ConnectionConnected)),
		totalSel:  selector(voicemetrics.MetricConnections, job),
		what:      "WebRTC connection attempts",
		bad:       "failed or timed out",
	}, {
		alert:     AlertCompletionBudgetBurn,
		record:    RecordCompletionErrorRatioPrefix,
		objective: c.CompletionObjective,
		// Rejected sessions (refused at the session cap) are excluded from
		// both sides: they are a capacity decision taken before any media,
		// not a conversation that went wrong.
		errSel:   selector(voicemetrics.MetricSessionsEnded, job, re(voicemetrics.LabelOutcome, voicemetrics.OutcomeFailed+"|"+voicemetrics.OutcomeAbandoned)),
		totalSel: selector(voicemetrics.MetricSessionsEnded, job, ended),
		what:     "voice sessions",
		bad:      "ended failed or abandoned",
	}}
}

// windowDurations maps each nominal window to its duration.
var windowDurations = map[string]time.Duration{
	"5m": 5 * time.Minute, "30m": 30 * time.Minute, "1h": time.Hour,
	"6h": 6 * time.Hour, "3d": 72 * time.Hour,
}

// window renders a nominal window (one of SLOWindows) scaled by the TimeScale.
func (c Config) window(nominal string) string {
	return c.scale(windowDurations[nominal]).String()
}

// sloRecordingRules returns the error-ratio recording rules of s, one per
// window. With no bad events at all the ratio is 0, not absent, so
// dashboards show a full budget instead of "no data".
func (c Config) sloRecordingRules(s sloDef) []Rule {
	var rules []Rule
	for _, w := range SLOWindows {
		win := c.window(w)
		errRate := fmt.Sprintf("sum by (job) (rate(%s[%s]))", s.errSel, win)
		totRate := fmt.Sprintf("sum by (job) (rate(%s[%s]))", s.totalSel, win)
		rules = append(rules, Rule{
			Record: s.record + w,
			Expr:   fmt.Sprintf("(%s or 0 * %s)\n/\n%s", errRate, totRate, totRate),
		})
	}
	return rules
}

// sloAlerts returns the page and the ticket burn-rate alerts of s. Both
// carry the same alert name, so a firing page inhibits its ticket.
func (c Config) sloAlerts(s sloDef) []Rule {
	budget := num(1 - s.objective)
	cond := func(w burnWindow) string {
		f := num(w.factor)
		return fmt.Sprintf("(\n  %s%s > (%s * %s)\nand\n  %s%s > (%s * %s)\n)",
			s.record, w.long, f, budget, s.record, w.short, f, budget)
	}
	var pageConds, ticketConds []string
	for _, w := range burnWindows {
		if w.severity == SeverityPage {
			pageConds = append(pageConds, cond(w))
		} else {
			ticketConds = append(ticketConds, cond(w))
		}
	}
	objective := num(s.objective * 100)
	mk := func(sev string, conds []string, speed string) Rule {
		return Rule{
			Alert:  s.alert,
			Expr:   strings.Join(conds, "\nor\n"),
			Labels: c.labels(sev),
			Annotations: c.annotations(s.alert,
				fmt.Sprintf("%s SLO (%s%%) error budget is burning %s", s.what, objective, speed),
				fmt.Sprintf("{{ $value | humanizePercentage }} of %s %s recently (job {{ $labels.job }}); the objective allows %s%%. At this rate the 30-day error budget is gone in days, not weeks.",
					s.what, s.bad, num((1-s.objective)*100))),
		}
	}
	return []Rule{
		mk(SeverityPage, pageConds, "fast"),
		mk(SeverityTicket, ticketConds, "steadily"),
	}
}
