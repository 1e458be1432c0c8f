package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/voicewatch/voicewatch/probes"
)

// JUnit XML as GitHub Actions reporters and GitLab read it: one testsuite,
// one testcase per probe, a <failure> with the reason as its type.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name       string           `xml:"name,attr"`
	Classname  string           `xml:"classname,attr"`
	Time       string           `xml:"time,attr"`
	Properties *junitProperties `xml:"properties,omitempty"`
	Failure    *junitFailure    `xml:"failure,omitempty"`
	SystemOut  string           `xml:"system-out,omitempty"`
}

// junitProperties are a testcase's properties (Jenkins, GitLab and the
// common JUnit reporters show them): the selected candidate types.
type junitProperties struct {
	Property []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func secs(d time.Duration) string { return fmt.Sprintf("%.6f", d.Seconds()) }

// writeJUnit writes the JUnit XML report.
func writeJUnit(w io.Writer, results []probes.Result) error {
	s := junitSuite{Name: "voicewatch probes", Tests: len(results)}
	var total time.Duration
	for _, r := range results {
		total += r.Duration
		var out strings.Builder
		fmt.Fprintf(&out, "target: %s\n", r.Target)
		if c := candidates(r); c != "" {
			fmt.Fprintf(&out, "candidates (local → remote): %s\n", c)
		}
		for _, ph := range r.Phases {
			fmt.Fprintf(&out, "phase %s: %s\n", ph.Name, fmtDur(ph.Duration))
		}
		for _, k := range sortedKeys(r.Details) {
			fmt.Fprintf(&out, "%s: %s\n", k, r.Details[k])
		}
		c := junitCase{Name: r.Probe, Classname: "probe." + r.Kind, Time: secs(r.Duration), SystemOut: out.String()}
		var props []junitProperty
		for _, k := range []string{probes.DetailLocalCandidate, probes.DetailRemoteCandidate} {
			if v := r.Details[k]; v != "" {
				props = append(props, junitProperty{Name: k, Value: v})
			}
		}
		if props != nil {
			c.Properties = &junitProperties{Property: props}
		}
		if f := r.Failure; f != nil && !r.Success {
			s.Failures++
			c.Failure = &junitFailure{
				Message: fmt.Sprintf("%s in phase %s", f.Reason, orDash(f.Phase)),
				Type:    string(f.Reason),
				Text:    fmt.Sprintf("%s\ncheck: %s\n", f.Message(), f.Reason.Hint()),
			}
		}
		s.Cases = append(s.Cases, c)
	}
	s.Time = secs(total)
	doc := junitSuites{Name: "voicewatch probes", Tests: s.Tests, Failures: s.Failures, Time: s.Time, Suites: []junitSuite{s}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
